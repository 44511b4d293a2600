import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  deleteWebhookAction,
  revealWebhookSecretAction,
  rotateWebhookSecretAction,
  saveWebhookAction,
  sendTestWebhookAction,
} from "@/app/(console)/notifications/actions";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { verifyAndRecord } from "@/lib/domains/verification";
import { stopJobClient } from "@/lib/jobs/client";
import { startWorker, type JobWorker } from "@/lib/worker/worker";
import { listDeliveries } from "@/lib/notifications/queries";
import { attemptDelivery } from "@/lib/notifications/webhooks/deliveries";
import { webhookDependencies } from "@/lib/notifications/webhooks/settings";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifySignature } from "@/lib/notifications/webhooks/signature";

import { asPublished, loopbackVerificationOptions, PLATFORM_TEST_ZONE, PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { configWith, createCustomDomain, eventually } from "../support/jobs";
import { actAs, actAsNobody } from "../support/request-context";

/**
 * Webhooks end to end: a real HTTP receiver on loopback, the real job queue and worker, and the
 * loopback DNS fixture for host names (never the machine's resolver).
 */
const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });

Object.assign(process.env, {
  DNS_RESOLVERS: world.resolvers.map((server) => `${server.host}:${server.port}`).join(","),
  DNS_TEST_AUTHORITATIVE_PORT: String(world.authoritativePort),
  DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
  DNS_TIMEOUT_MS: "300",
  DNS_DEADLINE_MS: "1000",
  WEBHOOK_ALLOW_LOOPBACK: "true",
  WEBHOOK_TIMEOUT: "1s",
  WEBHOOK_RETRY_INTERVAL: "200ms",
  WEBHOOK_MAX_ATTEMPTS: "3",
  JOB_EXPIRY: "3s",
  JOB_MAINTENANCE_INTERVAL: "1s",
  JOB_POLL_INTERVAL: "500ms",
  JOB_SWEEP_INTERVAL: "1s",
  WORKER_HEARTBEAT_INTERVAL: "1s",
});
const config = configWith();
const settings = PLATFORM_TEST_SETTINGS;

interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ at: Date.now(), headers: request.headers, body });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      response.end(response.statusCode >= 400 ? "receiver is having a bad day" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  receivers.push(server);
  return { received, port, url: `http://127.0.0.1:${port}/hooks/email` };
}

const receivers: http.Server[] = [];
let worker: JobWorker | null = null;
afterEach(async () => {
  await worker?.stop(1000);
  worker = null;
  await Promise.all(receivers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(async () => {
  await stopJobClient();
  await world.close();
});
beforeEach(async () => {
  await db.domain.deleteMany();
  await db.webhook.deleteMany();
  await db.auditEntry.deleteMany({ where: { entityType: "webhook" } });
  actAsNobody();
});

async function createWebhook(url: string): Promise<string> {
  await actAs("admin@acme.example");
  const saved = await saveWebhookAction({ url, enabled: true });
  expect(saved).toMatchObject({ ok: true, data: { created: true } });
  const revealed = await revealWebhookSecretAction({});
  if (!revealed.ok) throw new Error(revealed.error);
  return revealed.data.secret;
}

/** A domain whose records are published, checked once: it becomes verified, which is an event. */
async function verifiedDomainEvent(name: string) {
  const domain = await createCustomDomain(db, acme.id, name, settings);
  world.publish(...asPublished(domain.records.map(expectedFromStored).filter((record) => record.kind === "ownership" || record.kind === "mx")));
  const outcome = await verifyAndRecord(db, acme.id, domain.id, "manual", await loopbackVerificationOptions(world, { retries: 1 }));
  expect(outcome.event).toBe("verified");
  return domain;
}

describe("delivering domain events", () => {
  it("POSTs a signed event, retrying with growing delays until the receiver accepts it", async () => {
    const receiver = await startReceiver([500, 503, 200]);
    const secret = await createWebhook(receiver.url);
    worker = await startWorker({ config, mode: "separate" });
    const domain = await verifiedDomainEvent("hooked.acme.test");

    const [delivery] = await eventually("the delivery to succeed", async () => {
      const rows = await listDeliveries(acme.id);
      return rows[0]?.status === "delivered" ? rows : null;
    });
    expect(delivery).toMatchObject({ event: "domain.verified", status: "delivered", attempts: 3, responseStatus: 200, error: null, nextAttemptAt: null });

    expect(receiver.received).toHaveLength(3);
    for (const request of receiver.received) {
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers[EVENT_HEADER]).toBe("domain.verified");
      // Every attempt is the same delivery (receivers de-duplicate on it), freshly signed.
      expect(request.headers[DELIVERY_HEADER]).toBe(delivery!.id);
      expect(verifySignature(secret, request.headers[SIGNATURE_HEADER] as string, request.body)).toBe(true);
      expect(verifySignature("whsec_someone-else", request.headers[SIGNATURE_HEADER] as string, request.body)).toBe(false);
    }
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      id: delivery!.id,
      type: "domain.verified",
      organization: { id: acme.id },
      data: {
        domain: { id: domain.id, name: "hooked.acme.test", status: "verified", previousStatus: "pending" },
        trigger: "manual",
        message: { title: "hooked.acme.test is verified" },
      },
    });
    // Back-off: the second wait is longer than the first (200 ms, then 400 ms, each ±20 %). The
    // receiver's clock reads arrivals, which a busy machine can delay by some tens of milliseconds,
    // so the bounds leave that much room: the first wait is at most 240 ms, the second over 250 ms.
    const [first, second, third] = receiver.received.map((request) => request.at);
    expect(second! - first!).toBeGreaterThanOrEqual(100);
    expect(third! - second!).toBeGreaterThan(250);
  });

  it("gives up after WEBHOOK_MAX_ATTEMPTS and says why in the delivery log", async () => {
    const receiver = await startReceiver([500]);
    await createWebhook(receiver.url);
    worker = await startWorker({ config, mode: "separate" });
    await verifiedDomainEvent("down.acme.test");
    const [delivery] = await eventually("the delivery to be given up", async () => {
      const rows = await listDeliveries(acme.id);
      return rows[0]?.status === "failed" ? rows : null;
    });
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 500, nextAttemptAt: null });
    expect(delivery!.error).toBe("The receiver answered HTTP 500: receiver is having a bad day Gave up after 3 attempts.");
    expect(receiver.received).toHaveLength(3);
  });

  it("sends nothing while the webhook is disabled", async () => {
    const receiver = await startReceiver([200]);
    await createWebhook(receiver.url);
    const webhook = await db.webhook.findUniqueOrThrow({ where: { organizationId: acme.id } });
    expect(await saveWebhookAction({ url: receiver.url, enabled: false, version: webhook.version })).toMatchObject({ ok: true });
    await verifiedDomainEvent("quiet.acme.test");
    expect(await listDeliveries(acme.id)).toEqual([]);
    expect(await db.notification.count({ where: { kind: "domain.verified", domain: { name: "quiet.acme.test" } } })).toBe(1);
  });
});

describe("where webhooks may be sent", () => {
  it("checks the addresses a host name resolves to when sending, not only when saving, and connects to the checked one", async () => {
    const receiver = await startReceiver([200]);
    // Saving checks the URL; what the name resolves to can change any time after (DNS rebinding), so
    // it is checked on every send. Here it points into a private network.
    world.publish({ name: "hooks.acme.test", type: "A", data: "10.20.30.40" });
    await createWebhook(`http://hooks.acme.test:${receiver.port}/in`);
    await verifiedDomainEvent("rebind.acme.test");
    const [queued] = await listDeliveries(acme.id);
    const deps = webhookDependencies(config);

    expect(await attemptDelivery(db, queued!.id, deps)).toEqual({
      outcome: "failed",
      error: "hooks.acme.test resolves to 10.20.30.40. Webhooks cannot be sent to a private network address (10.20.30.40); use an address reachable on the internet.",
    });
    expect(receiver.received).toHaveLength(0);

    // The same name on loopback: refused unless WEBHOOK_ALLOW_LOOPBACK, and then sent to exactly that address.
    world.unpublish("hooks.acme.test", "A");
    world.publish({ name: "hooks.acme.test", type: "A", data: "127.0.0.1" });
    await db.webhookDelivery.update({ where: { id: queued!.id }, data: { status: "pending", attempts: 0 } });
    expect(await attemptDelivery(db, queued!.id, { ...deps, policy: { ...deps.policy, allowLoopback: false } })).toMatchObject({
      outcome: "failed",
      error: expect.stringContaining("resolves to 127.0.0.1. Webhooks cannot be sent to a loopback address"),
    });
    await db.webhookDelivery.update({ where: { id: queued!.id }, data: { status: "pending", attempts: 0 } });
    expect(await attemptDelivery(db, queued!.id, deps)).toEqual({ outcome: "delivered", status: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers.host).toBe(`hooks.acme.test:${receiver.port}`);
  });

  it("refuses private, link-local and credential-carrying URLs when saving", async () => {
    await actAs("admin@acme.example");
    for (const url of ["http://10.0.0.8/hook", "https://169.254.169.254/latest/meta-data/", "https://[fd00::1]/x"]) {
      const result = await saveWebhookAction({ url, enabled: true });
      expect(result).toMatchObject({ ok: false, code: "validation", fieldErrors: { url: [expect.stringMatching(/cannot be sent to/)] } });
    }
    expect(await saveWebhookAction({ url: "https://jo:secret@hooks.example.com/", enabled: true })).toMatchObject({ ok: false, code: "validation" });
    expect(await db.webhook.count()).toBe(0);
  });
});

describe("the webhook settings", () => {
  it("send a test event on the spot and log it, whatever the receiver answers", async () => {
    const receiver = await startReceiver([200]);
    const secret = await createWebhook(receiver.url);
    const result = await sendTestWebhookAction({});
    expect(result).toMatchObject({ ok: true, data: { delivered: true, status: 200 } });
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: "webhook.test", data: { message: expect.stringContaining("admin@acme.example") } });
    expect(verifySignature(secret, receiver.received[0]!.headers[SIGNATURE_HEADER] as string, receiver.received[0]!.body)).toBe(true);

    await new Promise((resolve) => receivers.pop()!.close(resolve));
    const refused = await sendTestWebhookAction({});
    expect(refused).toMatchObject({ ok: true, data: { delivered: false, status: null, error: expect.stringContaining("refused the connection") } });
    expect((await listDeliveries(acme.id)).map((row) => [row.event, row.status])).toEqual([
      ["webhook.test", "failed"],
      ["webhook.test", "delivered"],
    ]);
  });

  it("show the secret only to admins who can manage, and audit every change without it", async () => {
    const receiver = await startReceiver([200]);
    const secret = await createWebhook(receiver.url);
    const webhook = await db.webhook.findUniqueOrThrow({ where: { organizationId: acme.id } });
    expect(webhook.secretSealed).not.toContain(secret);

    await actAs("viewer@acme.example");
    for (const attempt of [
      revealWebhookSecretAction({}),
      rotateWebhookSecretAction({ version: webhook.version }),
      saveWebhookAction({ url: receiver.url, enabled: false, version: webhook.version }),
      sendTestWebhookAction({}),
      deleteWebhookAction({}),
    ]) {
      expect(await attempt).toMatchObject({ ok: false, code: "permission_required" });
    }
    expect(receiver.received).toHaveLength(0);

    await actAs("admin@acme.example");
    const rotated = await rotateWebhookSecretAction({ version: webhook.version });
    expect(rotated).toMatchObject({ ok: true, data: { secret: expect.stringMatching(/^whsec_/) } });
    if (!rotated.ok) return;
    expect(rotated.data.secret).not.toBe(secret);
    expect(await revealWebhookSecretAction({})).toMatchObject({ ok: true, data: { secret: rotated.data.secret } });
    // An edit based on the version before the rotation is refused, not silently applied.
    expect(await saveWebhookAction({ url: receiver.url, enabled: false, version: webhook.version })).toMatchObject({ ok: false, code: "stale" });
    expect(await deleteWebhookAction({})).toMatchObject({ ok: true });

    const audit = await db.auditEntry.findMany({ where: { organizationId: acme.id, entityType: "webhook" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["webhook.create", "webhook.rotate_secret", "webhook.delete"]);
    expect(JSON.stringify(audit.map((entry) => [entry.before, entry.after]))).not.toContain("whsec_");
  });
});

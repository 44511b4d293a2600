import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { sendTestMessageAction, watchTestMessageAction } from "@/app/(console)/test-messages/actions";
import { getDb } from "@/lib/db/client";
import { findFreePort } from "@/lib/db/embedded-postgres";
import { postfixCopyConfig, type RedirectRule } from "@/lib/domains/redirects";
import { stopJobClient } from "@/lib/jobs/client";
import { QUEUES } from "@/lib/jobs/queues";
import { startGateway } from "@/lib/mail/gateway";
import { deliverTestMessage } from "@/lib/test-messages/deliver";
import { deliveryDependencies } from "@/lib/test-messages/settings";
import type { TestMessageTrace } from "@/lib/test-messages/types";

import { PLATFORM_TEST_ENV } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { inboundConfig, seedInboundWorld } from "../support/inbound";
import { configWith, eventually, jobsFor } from "../support/jobs";
import { MISSING_POSTFIX_MESSAGE, postfixAvailable, startPostfix, type PostfixInstance } from "../support/postfix";
import { actAs, actAsNobody } from "../support/request-context";
import { INITECH_ADMIN } from "../support/routing-fixtures";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";

/**
 * The traced test message end to end, with real parts only: loopback DNS servers publish each
 * domain's MX, the console delivers over SMTP (nodemailer) to what they name — our real inbound
 * gateway, or a real Postfix playing the admin's own mail server configured exactly as the
 * console's Postfix instructions say — and the trace is read back through the server action the
 * page polls. The sending job's body (deliverTestMessage) is run here as the worker runs it, with
 * each test's own settings (port, timeouts, address policy); the browser test runs the real worker.
 */
const GIVE_UP = "10s";
Object.assign(process.env, PLATFORM_TEST_ENV, {
  TEST_MESSAGE_TIMEOUT: GIVE_UP,
  TEST_MESSAGES_PER_HOUR: "100",
  DNS_TIMEOUT_MS: "500",
  DNS_DEADLINE_MS: "4000",
  DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
});

const db = getDb();
const world = await seedInboundWorld(db);
const platformKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platformKeyFile = path.join(await mkdtemp(path.join(os.tmpdir(), "erc-test-message-key-")), "test-messages.pem");
await writeFile(platformKeyFile, platformKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
const dns = await startDnsWorld({
  zones: [
    { origin: "platform.test", records: [{ name: "inbound-1.platform.test", type: "A", data: "127.0.0.1" }] },
    { origin: "acme.test" },
    { origin: "acme-shop.test" },
  ],
});
dns.publish(
  // Scenario 1: the registered domain's MX is our inbound host.
  { name: "help.acme.test", type: "MX", data: { preference: 10, exchange: "inbound-1.platform.test" } },
  { name: "copies.acme.test", type: "MX", data: { preference: 10, exchange: "inbound-1.platform.test" } },
  // Scenario 2: the admin's own domain, whose MX is their own mail server (Postfix, on loopback).
  { name: "acme.test", type: "MX", data: { preference: 10, exchange: "mx.acme.test" } },
  { name: "mx.acme.test", type: "A", data: "127.0.0.1" },
  // Scenario 4: Acme's second domain, on the same mail server, redirects to its platform label.
  { name: "acme-shop.test", type: "MX", data: { preference: 10, exchange: "mx.acme.test" } },
  // The console's own sending domain lets no server send for it and rejects what fails DMARC: only
  // the test messages' DKIM signature (TEST_MESSAGE_DKIM_KEY) keeps them out of the spam queue.
  { name: PLATFORM_TEST_ENV.PLATFORM_DOMAIN, type: "TXT", data: "v=spf1 -all" },
  { name: `_dmarc.${PLATFORM_TEST_ENV.PLATFORM_DOMAIN}`, type: "TXT", data: "v=DMARC1; p=reject" },
  {
    name: `erc-test._domainkey.${PLATFORM_TEST_ENV.PLATFORM_DOMAIN}`,
    type: "TXT",
    data: `v=DKIM1; k=rsa; p=${platformKey.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
  },
);
// The wizard's answer for the platform label: the domain its redirect comes from.
await db.setupRun.create({ data: { organizationId: world.acme.id, domainId: world.domains.platform.id, step: "done", scenario: "platform_domain_with_copies", data: { originalDomain: "acme-shop.test" }, finishedAt: new Date() } });
Object.assign(process.env, { DNS_RESOLVERS: `127.0.0.1:${dns.resolver.port}`, DNS_TEST_AUTHORITATIVE_PORT: String(dns.authoritativePort) });

const { config: gatewayConfig } = await inboundConfig(dns, { DNS_TEST_AUTHORITATIVE_PORT: String(dns.authoritativePort) });
const gateway = await startGateway({ config: gatewayConfig, mode: "separate", host: "127.0.0.1", port: 0 });

const postfixInstances: PostfixInstance[] = [];
const sinks: SmtpSink[] = [];
const servers: net.Server[] = [];

afterAll(async () => {
  for (const postfix of postfixInstances) await postfix.stop();
  await Promise.all(sinks.map((sink) => sink.close()));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await gateway.stop(2_000);
  await stopJobClient();
  await dns.close();
});

/** The sending job's settings as the worker would load them, pointed at `port` on every MX host. */
/**
 * Postfix starts an smtpd for the first connection it gets, which on a busy 2-core machine can take
 * longer than the 5 s the other tests give a reply: the admin's server gets more.
 */
const viaPostfix = (port: number) => sending(port, { TEST_MESSAGE_SMTP_TIMEOUT: "20s" });

function sending(port: number, overrides: Record<string, string> = {}) {
  return deliveryDependencies(
    configWith({
      TEST_MESSAGE_ALLOW_PRIVATE_TARGETS: "true",
      TEST_MESSAGE_SMTP_PORT: String(port),
      TEST_MESSAGE_SMTP_TIMEOUT: "5s",
      TEST_MESSAGE_DKIM_KEY: platformKeyFile,
      ...overrides,
    }),
  );
}

async function watch(id: string): Promise<TestMessageTrace> {
  const result = await watchTestMessageAction({ id });
  if (!result.ok) throw new Error(`watching ${id}: ${result.code} ${result.error}`);
  return result.data;
}

/** Sends as Acme's admin, runs the sending job, then watches the trace (as the page does) until it ends. */
async function sendAndFollow(address: string, deps: ReturnType<typeof sending>, before?: (id: string) => Promise<void>) {
  await actAs("admin@acme.example");
  const sent = await sendTestMessageAction({ address });
  if (!sent.ok) throw new Error(`sending to ${address}: ${sent.error}`);
  expect(sent.data.state).toBe("in_progress");
  const id = sent.data.id;
  // The action queued the job that sends it; here its body runs as the worker would run it.
  expect((await jobsFor(db, QUEUES.testMessage, id)).map((job) => job.state)).toEqual(["created"]);
  await before?.(id);
  const outcome = await deliverTestMessage(db, id, await deps);
  const trace = await eventually("the trace to end", async () => {
    const current = await watch(id);
    return current.state === "in_progress" ? null : current;
  }, 60_000);
  return { id, outcome, trace, row: await db.testMessage.findUniqueOrThrow({ where: { id } }) };
}

const stageOf = (trace: TestMessageTrace, key: string) => {
  const found = trace.stages.find((stage) => stage.key === key);
  if (!found) throw new Error(`no stage ${key}`);
  return found;
};

describe("scenario 1: the domain's MX is our gateway", () => {
  it("delivers to the MX found at the domain's nameservers and shows every stage done, with its time, the route and the queue", async () => {
    const { id, outcome, trace, row } = await sendAndFollow("support@help.acme.test", sending(gateway.port));
    expect(outcome).toEqual({ outcome: "sent" });
    expect(trace.state).toBe("delivered");
    expect(trace.stages.map((stage) => [stage.key, stage.status])).toEqual([
      ["mx", "done"],
      ["smtp", "done"],
      ["hops", "done"],
      ["arrival", "done"],
      ["route", "done"],
      ["queue", "done"],
    ]);
    for (const stage of trace.stages) expect(Date.parse(stage.at ?? ""), `${stage.key} has a time`).toBeGreaterThanOrEqual(Date.parse(trace.createdAt));
    expect(stageOf(trace, "mx").summary).toBe("inbound-1.platform.test (127.0.0.1), preference 10: our inbound host.");
    expect(stageOf(trace, "mx").details[0]).toMatch(/^Answered by ns\d\.platform\.test|^Answered by ns\d\.acme\.test|^Answered by /);
    expect(stageOf(trace, "smtp").summary).toMatch(/^inbound-1\.platform\.test accepted it: 250 2\.0\.0 Ok: queued as [0-9a-f-]{36}/);
    expect(stageOf(trace, "hops").summary).toBe("Straight to our gateway: no other server in between.");
    expect(stageOf(trace, "route").summary).toBe("support@help.acme.test");
    expect(stageOf(trace, "queue").summary).toBe("Queued in Support.");
    expect(trace.diagnosis).toMatchObject({ code: "delivered", title: "Delivered to Support" });

    // What arrived is the message the console sent, found by its token, in the route's queue.
    const stored = await db.inboundMessage.findFirstOrThrow({ where: { traceToken: row.token }, include: { deliveries: true } });
    expect(stageOf(trace, "arrival").summary).toBe(`Received by our gateway and stored as message ${stored.id}.`);
    expect(stored.envelopeFrom).toBe(`trace-${row.token}@${PLATFORM_TEST_ENV.PLATFORM_DOMAIN}`);
    expect(stored.deliveries.map((delivery) => [delivery.routeId, delivery.queueName])).toEqual([[world.routes.support.id, "Support"]]);

    // The job run again (a retry, a duplicate) sends nothing more.
    expect(await deliverTestMessage(db, id, await sending(gateway.port))).toEqual({ outcome: "skipped" });
    expect(await db.inboundMessage.count({ where: { traceToken: row.token } })).toBe(1);
  }, 90_000);

  it("no route: the route was deleted after sending, so our gateway refuses the recipient and the trace says why", async () => {
    const { trace } = await sendAndFollow("sales@help.acme.test", sending(gateway.port), async () => {
      await db.route.delete({ where: { id: world.routes.sales.id } });
    });
    expect(trace.state).toBe("failed");
    expect(stageOf(trace, "mx").status).toBe("done");
    expect(stageOf(trace, "smtp")).toMatchObject({ status: "failed" });
    expect(stageOf(trace, "smtp").summary).toContain("550 5.1.1");
    expect(stageOf(trace, "arrival").status).toBe("failed");
    expect(stageOf(trace, "route")).toMatchObject({ status: "failed", summary: "No route for sales@help.acme.test." });
    expect(stageOf(trace, "queue").status).toBe("skipped");
    expect(trace.diagnosis).toMatchObject({ code: "refused_no_route", title: "No route at our gateway" });
    expect(trace.diagnosis?.message).toContain("sales@help.acme.test");
  }, 90_000);
});

describe.skipIf(!postfixAvailable())("scenarios 2 and 4: through the admin's own mail server (a real Postfix)", () => {
  let mailbox: SmtpSink;
  let bounces: SmtpSink;
  const rule: RedirectRule = { from: "support@acme.test", to: "support@copies.acme.test" };

  /** The admin's Postfix: delivers acme.test and acme-shop.test to their mailbox and applies `rules` exactly as the console's instructions write them. */
  async function adminsPostfix(rules: RedirectRule[]): Promise<PostfixInstance> {
    mailbox ??= await startSmtpSink();
    bounces ??= await startSmtpSink();
    if (!sinks.includes(mailbox)) sinks.push(mailbox, bounces);
    const postfix = await startPostfix({
      // Postfix cannot ask our test DNS: each domain's next hop is written as a transport instead.
      transports: {
        "acme.test": mailbox.port,
        "acme-shop.test": mailbox.port,
        "copies.acme.test": gateway.port,
        [world.domains.platform.name]: gateway.port,
        [PLATFORM_TEST_ENV.PLATFORM_DOMAIN]: bounces.port,
      },
      configure: (dir) => {
        const relay = "relay_domains = acme.test, acme-shop.test";
        if (rules.length === 0) return { mainCf: [relay] };
        const generated = postfixCopyConfig(rules, { mapFile: path.join(dir, "virtual") });
        // The map is built before Postfix starts (its postmap line); reload is for a running server.
        const postmap = generated.commands.filter((command) => command.startsWith("postmap "));
        return { mainCf: [relay, ...generated.mainCf], files: { [generated.mapFile]: generated.virtualMap }, commands: postmap };
      },
    });
    postfixInstances.push(postfix);
    return postfix;
  }

  it("scenario 2: follows the message through the admin's Postfix redirect to our gateway: the Postfix hop is in the trace", async () => {
    const postfix = await adminsPostfix([rule]);
    const kept = mailbox.messages.length;
    const { trace, row } = await sendAndFollow("support@acme.test", viaPostfix(postfix.port)).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await postfix.maillog()}`);
    });
    expect(row).toMatchObject({ viaRedirect: true, targetAddress: "support@acme.test", routeAddress: "support@copies.acme.test" });
    expect(trace.state, `${row.failure ?? ""} ${row.failureDetail ?? ""}`).toBe("delivered");
    expect(trace.stages.map((stage) => stage.status)).toEqual(["done", "done", "done", "done", "done", "done"]);
    expect(stageOf(trace, "mx").summary).toBe("mx.acme.test (127.0.0.1), preference 10: your mail server.");
    expect(stageOf(trace, "smtp").summary).toMatch(/^mx\.acme\.test accepted it: 250 2\.0\.0 Ok: queued as [0-9A-F]+/);
    // The hop the admin's own server added when it took the message, before it redirected it.
    expect(stageOf(trace, "hops").summary).toBe("Through postfix.test before our gateway.");
    expect(trace.hops).toHaveLength(1);
    expect(trace.hops[0]).toMatchObject({ by: expect.stringMatching(/^postfix\.test\b/), ip: "127.0.0.1", for: expect.stringContaining("support@acme.test") });
    expect(stageOf(trace, "route").summary).toBe("support@copies.acme.test");
    expect(stageOf(trace, "route").details).toContain("Originally sent to support@acme.test.");
    expect(stageOf(trace, "queue").summary).toBe("Queued in Support.");
    expect(trace.diagnosis?.message).toContain("redirected by your mail server from support@acme.test");
    // The redirect fails the console's SPF, as redirects do; the DKIM signature passes DMARC instead.
    expect(await db.inboundMessage.findFirst({ where: { traceToken: row.token } })).toMatchObject({ spf: "fail", dkim: "pass", dmarc: "pass" });
    // And the copy the scenario promises stayed with the admin's own mailbox.
    const [copy] = (await mailbox.waitFor(kept + 1)).slice(kept);
    expect(copy!.recipients).toEqual(["support@acme.test"]);
  }, 120_000);

  it("scenario 4: follows the message through the admin's Postfix redirect to the platform label: the Postfix hop is in the trace", async () => {
    const platformAddress = `support@${world.domains.platform.name}`;
    const postfix = await adminsPostfix([{ from: "support@acme-shop.test", to: platformAddress }]);
    const kept = mailbox.messages.length;
    const { trace, row } = await sendAndFollow("support@acme-shop.test", viaPostfix(postfix.port)).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await postfix.maillog()}`);
    });
    expect(row).toMatchObject({ viaRedirect: true, targetAddress: "support@acme-shop.test", routeAddress: platformAddress });
    expect(trace.state, `${row.failure ?? ""} ${row.failureDetail ?? ""}`).toBe("delivered");
    expect(trace.stages.map((stage) => stage.status)).toEqual(["done", "done", "done", "done", "done", "done"]);
    expect(stageOf(trace, "mx").summary).toBe("mx.acme.test (127.0.0.1), preference 10: your mail server.");
    expect(stageOf(trace, "hops").summary).toBe("Through postfix.test before our gateway.");
    expect(trace.hops[0]).toMatchObject({ by: expect.stringMatching(/^postfix\.test\b/), ip: "127.0.0.1", for: expect.stringContaining("support@acme-shop.test") });
    expect(stageOf(trace, "route").summary).toBe(platformAddress);
    expect(stageOf(trace, "route").details).toContain("Originally sent to support@acme-shop.test.");
    expect(stageOf(trace, "queue").summary).toBe("Queued in Support.");
    const [copy] = (await mailbox.waitFor(kept + 1)).slice(kept);
    expect(copy!.recipients).toEqual(["support@acme-shop.test"]);
  }, 120_000);

  it("without TEST_MESSAGE_DKIM_KEY, a redirected test message fails the console's DMARC: delivered as spam, and the trace says the redirect worked", async () => {
    const postfix = await adminsPostfix([rule]);
    const { trace, row } = await sendAndFollow("support@acme.test", viaPostfix(postfix.port).then((deps) => ({ ...deps, signer: null })));
    expect(trace.state).toBe("delivered");
    expect(trace.diagnosis?.code).toBe("delivered_spam");
    expect(trace.diagnosis?.message).toMatch(/^Your redirect works: the message reached support@copies\.acme\.test through it\./);
    expect(await db.inboundMessage.findFirst({ where: { traceToken: row.token } })).toMatchObject({ spf: "fail", dkim: "none", dmarc: "fail", dmarcPolicy: "reject" });
  }, 120_000);

  it("redirect rule missing: Postfix takes the message but never passes it on; the trace gives up with the rule it needs", async () => {
    const postfix = await adminsPostfix([]);
    const { trace } = await sendAndFollow("support@acme.test", viaPostfix(postfix.port));
    expect(trace.state).toBe("timed_out");
    expect(stageOf(trace, "smtp").status).toBe("done");
    expect(stageOf(trace, "arrival")).toMatchObject({ status: "failed", summary: "Not received within 10 seconds." });
    expect(trace.diagnosis).toMatchObject({ code: "redirect_missing", redirectRule: rule });
    expect(trace.diagnosis?.title).toMatch(/redirect rule is probably missing/);
    // It gave up no sooner than the configured wait after the admin's server took the message.
    expect(Date.parse(trace.deadline) - Date.parse(stageOf(trace, "smtp").at!)).toBe(10_000);
  }, 120_000);

  it("a redirect to an address with no route: our gateway refuses what Postfix passes on, and the trace names the address", async () => {
    const postfix = await adminsPostfix([{ from: "support@acme.test", to: "suport@copies.acme.test" }]);
    const { trace } = await sendAndFollow("support@acme.test", viaPostfix(postfix.port));
    expect(trace.state).toBe("failed");
    expect(stageOf(trace, "smtp")).toMatchObject({ status: "done" });
    expect(stageOf(trace, "arrival")).toMatchObject({ status: "failed" });
    expect(stageOf(trace, "arrival").summary).toMatch(/^550 5\.1\.1/);
    expect(stageOf(trace, "route")).toMatchObject({ status: "failed", summary: "No route for suport@copies.acme.test." });
    expect(trace.diagnosis?.code).toBe("refused_no_route");
    expect(trace.diagnosis?.message).toMatch(/^Your mail server passed the message on, but our gateway refused it/);
  }, 120_000);
});

if (!postfixAvailable()) {
  if (process.env.CI) throw new Error(MISSING_POSTFIX_MESSAGE);
  console.warn(MISSING_POSTFIX_MESSAGE);
}

describe("where it stops, and why", () => {
  it("MX refuses the connection: nothing listens on its SMTP port", async () => {
    const closed = await findFreePort();
    const { outcome, trace } = await sendAndFollow("support@help.acme.test", sending(closed));
    expect(outcome).toEqual({ outcome: "failed", failure: "connection_refused" });
    expect(trace.state).toBe("failed");
    expect(stageOf(trace, "mx").status).toBe("done");
    expect(stageOf(trace, "smtp")).toMatchObject({ status: "failed", summary: `inbound-1.platform.test (127.0.0.1 port ${closed}) refused the connection (nothing listens on that port).` });
    expect(trace.stages.slice(2).map((stage) => stage.status)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(trace.diagnosis).toMatchObject({ code: "connection_refused", title: "Connection refused" });
  }, 60_000);

  it("MX never answers: it accepts the connection but sends no greeting, and the attempt times out", async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const { outcome, trace } = await sendAndFollow("support@help.acme.test", sending(port, { TEST_MESSAGE_SMTP_TIMEOUT: "2s" }));
    for (const socket of held) socket.destroy();
    expect(held.length).toBeGreaterThan(0);
    expect(outcome).toEqual({ outcome: "failed", failure: "connection_timed_out" });
    expect(stageOf(trace, "smtp")).toMatchObject({
      status: "failed",
      summary: `inbound-1.platform.test (127.0.0.1 port ${port}) accepted the connection but sent no greeting within 2 s.`,
    });
    expect(trace.diagnosis).toMatchObject({ code: "connection_timed_out", title: "Connection timed out" });
  }, 60_000);

  it("a loopback MX is refused when private targets are not allowed: no connection is made", async () => {
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    servers.push(listener);
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const { outcome, trace } = await sendAndFollow("support@help.acme.test", sending(port, { TEST_MESSAGE_ALLOW_PRIVATE_TARGETS: "false" }));
    expect(outcome).toEqual({ outcome: "failed", failure: "mx_address_refused" });
    expect(stageOf(trace, "mx").status).toBe("failed");
    expect(stageOf(trace, "mx").details.join("\n")).toContain("not contacted: 127.0.0.1 is a loopback address");
    expect(stageOf(trace, "smtp").status).toBe("skipped");
    expect(trace.diagnosis?.code).toBe("mx_address_refused");
    expect(trace.diagnosis?.message).toContain("127.0.0.1 is a loopback address");
    expect(connections).toBe(0);
  }, 60_000);
});

describe("who may send and watch", () => {
  it("a viewer watches but cannot send; another organisation's admin gets nothing; signed out gets nothing", async () => {
    await actAs("admin@acme.example");
    const sent = await sendTestMessageAction({ address: "support@help.acme.test" });
    if (!sent.ok) throw new Error(sent.error);
    const count = await db.testMessage.count();

    await actAs("viewer@acme.example");
    expect(await sendTestMessageAction({ address: "support@help.acme.test" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await watchTestMessageAction({ id: sent.data.id })).toMatchObject({ ok: true, data: { id: sent.data.id, targetAddress: "support@help.acme.test" } });

    await actAs(INITECH_ADMIN);
    const watched = await watchTestMessageAction({ id: sent.data.id });
    expect(watched).toMatchObject({ ok: false, code: "not_found" });
    expect(JSON.stringify(watched)).not.toContain("help.acme.test");
    const other = await sendTestMessageAction({ address: "support@help.acme.test" });
    expect(other).toMatchObject({ ok: false, code: "validation" });
    if (!other.ok) expect(other.fieldErrors?.address?.[0]).toMatch(/only to your routed addresses/);
    expect(await sendTestMessageAction({ address: "support@acme.test" })).toMatchObject({ ok: false, code: "validation" });

    actAsNobody();
    expect(await watchTestMessageAction({ id: sent.data.id })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await sendTestMessageAction({ address: "support@help.acme.test" })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await db.testMessage.count()).toBe(count);
  }, 60_000);
});

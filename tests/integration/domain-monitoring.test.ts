import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { markNotificationsReadAction } from "@/app/(console)/notifications/actions";
import { GET as notificationsRoute } from "@/app/api/notifications/route";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { DnsCache } from "@/lib/dns";
import { registerDomain, restartVerification } from "@/lib/domains/registration";
import type { DomainDependencies } from "@/lib/domains/settings";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { loadExpectation, verifyAndRecord } from "@/lib/domains/verification";
import { runScheduledCheck, scheduleDomainChecks } from "@/lib/jobs/domain-checks";
import { stopJobClient } from "@/lib/jobs/client";
import { sweepDueWork } from "@/lib/jobs/sweep";
import { getNotificationFeed } from "@/lib/notifications/queries";

import { asPublished, loopbackVerificationOptions, PLATFORM_TEST_ZONE, PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { loopbackDnsEnv, startDnsWorld } from "../support/dns-server";
import { configWith, createCustomDomain, queuedChecks } from "../support/jobs";
import { actAs, actAsNobody, apiRequest } from "../support/request-context";

/**
 * The background checker's rules, driven with a controllable clock: what each check does to a
 * domain's status, when the next one is due, what admins are told, and that the queue holds
 * exactly the next check. No worker runs here (tests/integration/job-workers.test.ts runs them).
 */
const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
const viewer = await db.user.findUniqueOrThrow({ where: { email: "viewer@acme.example" } });

const deps: DomainDependencies = {
  secretsKey: Buffer.alloc(32, 3).toString("base64"),
  settings: PLATFORM_TEST_SETTINGS,
};

const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });
afterAll(async () => {
  await stopJobClient();
  await world.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// The test's clock runs in the past, so every moment it visits has already happened for the database too.
const epoch = new Date(Math.floor(Date.now() / HOUR) * HOUR - 200 * HOUR);
let clock = epoch;
const at = (ms: number) => new Date(epoch.getTime() + ms);
const check = async (domainId: string, trigger: "scheduled" | "manual" = "scheduled", extra: { expectation?: Awaited<ReturnType<typeof loadExpectation>> } = {}) =>
  verifyAndRecord(db, null, domainId, trigger, await loopbackVerificationOptions(world, { now: () => clock, random: () => 0, ...extra }));

async function register(name: string, through: "registerDomain" | "fixture" = "fixture") {
  const domain =
    through === "registerDomain"
      ? await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: name }, { ...deps, now: clock })
      : await createCustomDomain(db, acme.id, name, deps.settings, { now: clock });
  const records = domain.records.map(expectedFromStored);
  return {
    domain,
    publishReceiving: () => world.publish(...asPublished(records.filter((record) => record.kind === "ownership" || record.kind === "mx"))),
    mx: records.find((record) => record.kind === "mx")!,
  };
}

async function stored(domainId: string) {
  return db.domain.findUniqueOrThrow({ where: { id: domainId }, select: { status: true, nextCheckAt: true, graceStartedAt: true, verifiedAt: true } });
}

async function notificationKinds(domainId: string) {
  const rows = await db.notification.findMany({ where: { domainId }, orderBy: { createdAt: "asc" } });
  return rows.map((row) => row.kind);
}

beforeEach(async () => {
  clock = epoch;
  await db.domain.deleteMany();
  await db.notification.deleteMany();
  await db.user.updateMany({ data: { notificationsReadAt: null } });
  actAsNobody();
});

describe("a pending domain", () => {
  it("is scheduled on registration, re-checked with back-off, and given up after 72 hours", async () => {
    const { domain } = await register("slow.acme.test", "registerDomain");
    const first = await scheduleDomainChecks(domain.id, { now: clock });
    expect(first).toEqual(at(MINUTE));
    expect((await stored(domain.id)).nextCheckAt).toEqual(at(MINUTE));
    // Exactly one job is queued, for exactly that moment.
    expect((await queuedChecks(db, domain.id)).map((job) => job.start_after)).toEqual([at(MINUTE)]);

    const gaps: number[] = [];
    for (let index = 0; index < 6; index++) {
      clock = (await stored(domain.id)).nextCheckAt!;
      const outcome = await check(domain.id);
      expect(outcome).toMatchObject({ status: "pending", event: null });
      gaps.push((outcome.nextCheckAt!.getTime() - clock.getTime()) / MINUTE);
    }
    expect(gaps).toEqual([1, 2, 4, 8, 16, 32]);
    expect(await queuedChecks(db, domain.id)).toHaveLength(1);

    clock = at(71.5 * HOUR);
    expect((await check(domain.id)).nextCheckAt).toEqual(at(72 * HOUR));
    clock = at(72 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "failed", event: "failed", nextCheckAt: null });
    expect(await stored(domain.id)).toMatchObject({ status: "failed", nextCheckAt: null });
    expect(await queuedChecks(db, domain.id)).toEqual([]);
    const [notification] = await db.notification.findMany({ where: { domainId: domain.id } });
    expect(notification).toMatchObject({
      organizationId: acme.id,
      kind: "domain.failed",
      title: "Verification of slow.acme.test gave up",
      body: expect.stringContaining("within 72 hours"),
    });
  });

  it("is checked again once the admin restarts its verification", async () => {
    const { domain } = await register("again.acme.test");
    clock = at(72 * HOUR);
    await check(domain.id);
    expect((await stored(domain.id)).status).toBe("failed");

    clock = at(100 * HOUR);
    await restartVerification(db, acme.id, domain.id, clock);
    expect(await scheduleDomainChecks(domain.id, { now: clock })).toEqual(at(100 * HOUR + MINUTE));
    expect((await queuedChecks(db, domain.id)).map((job) => job.start_after)).toEqual([at(100 * HOUR + MINUTE)]);
  });

  it("becomes verified as soon as the records are published, and tells the admins once", async () => {
    const { domain, publishReceiving } = await register("quick.acme.test");
    publishReceiving();
    clock = at(MINUTE);
    expect(await check(domain.id)).toMatchObject({ status: "verified", event: "verified", nextCheckAt: at(MINUTE + 6 * HOUR) });
    clock = at(MINUTE + 6 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "verified", event: null });
    expect(await notificationKinds(domain.id)).toEqual(["domain.verified"]);
  });

  it("changes status once when two checks finish together (a worker and the admin's Check now)", async () => {
    const { domain, publishReceiving } = await register("race.acme.test");
    publishReceiving();
    const outcomes = await Promise.all([check(domain.id, "scheduled"), check(domain.id, "manual"), check(domain.id, "scheduled")]);
    expect(outcomes.map((outcome) => outcome.event).filter(Boolean)).toEqual(["verified"]);
    expect(await notificationKinds(domain.id)).toEqual(["domain.verified"]);
    expect(await db.domainCheck.count({ where: { domainId: domain.id } })).toBe(3);
  });
});

describe("a domain's check history", () => {
  it("records every run with its trigger and verdicts, keeping the latest 50", async () => {
    const { domain } = await register("history.acme.test");
    // 50 older runs, one a minute, before the clock's start.
    await db.domainCheck.createMany({
      data: Array.from({ length: 50 }, (_, index) => ({
        domainId: domain.id,
        trigger: "scheduled",
        startedAt: new Date(epoch.getTime() - (50 - index) * MINUTE),
        finishedAt: new Date(epoch.getTime() - (50 - index) * MINUTE + 100),
        ownership: "failed" as const,
        inbound: "failed" as const,
        sending: "failed" as const,
        report: { older: index },
      })),
    });
    const outcome = await check(domain.id, "manual");
    const runs = await db.domainCheck.findMany({ where: { domainId: domain.id }, orderBy: { startedAt: "desc" } });
    expect(runs).toHaveLength(50);
    expect(runs[0]).toMatchObject({ trigger: "manual", ownership: outcome.report.summary.ownership, inbound: outcome.report.summary.inbound });
    expect(runs[0]?.report).toMatchObject({ domain: "history.acme.test", checks: expect.any(Array) });
    // The oldest run gave way; the other 49 stay.
    expect(runs.at(-1)?.report).toEqual({ older: 1 });
  });
});

describe("a verified domain", () => {
  it("is judged by its status when the check is stored, not when it started: a change made meanwhile is seen and told", async () => {
    const { domain, publishReceiving } = await register("meanwhile.acme.test");
    publishReceiving();
    await check(domain.id);
    clock = at(6 * HOUR);
    // The check reads the domain as verified; before it stores its (unchanged) result, another
    // check moves the domain to grace.
    const expectation = await loadExpectation(db, null, domain.id);
    await db.domain.update({ where: { id: domain.id }, data: { status: "grace", graceStartedAt: at(5 * HOUR) } });
    const outcome = await check(domain.id, "scheduled", { expectation });
    expect(outcome).toMatchObject({ status: "verified", event: "recovered" });
    expect(await stored(domain.id)).toMatchObject({ status: "verified", graceStartedAt: null });
    expect(await notificationKinds(domain.id)).toEqual(["domain.verified", "domain.recovered"]);
    expect(await db.domainCheck.count({ where: { domainId: domain.id } })).toBe(2);
  });

  it("goes to grace when a record disappears, degrades only if still missing hours later, and recovers", async () => {
    const { domain, publishReceiving, mx } = await register("life.acme.test");
    publishReceiving();
    await check(domain.id);
    expect(await stored(domain.id)).toMatchObject({ status: "verified", nextCheckAt: at(6 * HOUR) });

    // A DNS outage is not the admin's fault: nothing changes.
    const servfail = world.authoritative.map((server) => server.addRule({ action: { kind: "rcode", rcode: "SERVFAIL" } }));
    clock = at(6 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "verified", event: null });
    servfail.forEach((remove) => remove());

    world.unpublish(mx.name, "MX");
    clock = at(12 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "grace", event: "grace", nextCheckAt: at(12 * HOUR + 15 * MINUTE) });
    const grace = await db.notification.findFirstOrThrow({ where: { domainId: domain.id, kind: "domain.grace" } });
    expect(grace.body).toContain(`MX record at ${mx.name}`);
    expect(grace.body).toContain("after 6 hours");
    // Without our MX record senders stop delivering to us: the message must not say mail flows.
    expect(grace.body).toContain("senders no longer deliver mail for life.acme.test to us");
    expect(grace.body).not.toContain("keeps flowing");

    clock = at(12 * HOUR + 15 * MINUTE);
    expect(await check(domain.id)).toMatchObject({ status: "grace", event: null });
    clock = at(17 * HOUR + 50 * MINUTE);
    // The last grace check lands exactly at the end of the grace period.
    expect((await check(domain.id)).nextCheckAt).toEqual(at(18 * HOUR));
    clock = at(18 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "degraded", event: "degraded", nextCheckAt: at(19 * HOUR) });

    publishReceiving();
    clock = at(19 * HOUR);
    expect(await check(domain.id)).toMatchObject({ status: "verified", event: "recovered", nextCheckAt: at(25 * HOUR) });
    expect(await stored(domain.id)).toMatchObject({ graceStartedAt: null, verifiedAt: epoch });
    expect(await notificationKinds(domain.id)).toEqual(["domain.verified", "domain.grace", "domain.degraded", "domain.recovered"]);
  });
});

describe("a scheduled check job", () => {
  it("checks a domain only when its row says a check is due", async () => {
    clock = new Date();
    const config = configWith({
      DNS_RESOLVERS: world.resolvers.map((server) => `${server.host}:${server.port}`).join(","),
      DNS_TEST_AUTHORITATIVE_PORT: String(world.authoritativePort),
      DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
    });
    const due = (await register("due.acme.test")).domain;
    await db.domain.update({ where: { id: due.id }, data: { nextCheckAt: new Date(Date.now() - MINUTE) } });
    expect(await runScheduledCheck(db, due.id, config)).toBe("checked");
    expect(await db.domainCheck.findMany({ where: { domainId: due.id }, select: { trigger: true } })).toEqual([{ trigger: "scheduled" }]);
    // Its next check is a minute away now: a second job for it (queued before the check ran) does nothing.
    expect(await runScheduledCheck(db, due.id, config)).toBe("not_due");
    expect(await db.domainCheck.count({ where: { domainId: due.id } })).toBe(1);

    const platform = await registerDomain(db, acme.id, { kind: "platform", scenario: "platform_domain", label: "acme-jobs" }, deps);
    expect(await runScheduledCheck(db, platform.id, config)).toBe("not_monitored");
    await db.domain.update({ where: { id: due.id }, data: { status: "failed" } });
    expect(await runScheduledCheck(db, due.id, config)).toBe("not_monitored");
    expect(await runScheduledCheck(db, "00000000-0000-4000-8000-000000000000", config)).toBe("not_found");
  });
});

describe("a worker's re-checks", () => {
  it("share its DNS cache: the second check of a domain asks no zone-cut questions, and still sees a record that went missing", async () => {
    clock = new Date();
    const config = configWith(loopbackDnsEnv(world));
    const dnsCache = new DnsCache();
    const { domain, publishReceiving } = await register("cached.acme.test");
    publishReceiving();
    const dueNow = () => db.domain.update({ where: { id: domain.id }, data: { nextCheckAt: new Date(Date.now() - MINUTE) } });
    const zoneCutQuestions = () => world.resolver.queries.filter((q) => q.type === "NS" && q.name.toLowerCase().endsWith("cached.acme.test")).length;

    await dueNow();
    expect(await runScheduledCheck(db, domain.id, config, { dnsCache })).toBe("checked");
    expect(zoneCutQuestions()).toBeGreaterThan(0);
    const asked = zoneCutQuestions();

    await dueNow();
    world.unpublish(`_email-routing.cached.acme.test`, "TXT");
    expect(await runScheduledCheck(db, domain.id, config, { dnsCache })).toBe("checked");
    expect(zoneCutQuestions()).toBe(asked);
    const latest = await db.domainCheck.findFirstOrThrow({ where: { domainId: domain.id }, orderBy: { startedAt: "desc" } });
    expect(latest.ownership).toBe("failed");
  });
});

describe("the job sweep", () => {
  it("queues checks that are due but have no job, and domains nobody scheduled, and nothing else", async () => {
    const config = configWith();
    const lost = (await register("lost.acme.test")).domain;
    const never = (await register("never.acme.test")).domain;
    const gaveUp = (await register("gaveup.acme.test")).domain;
    await db.domain.update({ where: { id: gaveUp.id }, data: { status: "failed" } });
    const platform = await registerDomain(db, acme.id, { kind: "platform", scenario: "platform_domain", label: "acme-sweep" }, deps);
    // A check was scheduled and committed, but the process died before queueing its job.
    await db.domain.update({ where: { id: lost.id }, data: { nextCheckAt: new Date(Date.now() - MINUTE) } });

    const now = new Date();
    const result = await sweepDueWork(db, config, now);
    expect(result.domains).toBe(2);
    expect(await queuedChecks(db, lost.id)).toHaveLength(1);
    expect(await queuedChecks(db, never.id)).toHaveLength(1);
    expect((await stored(never.id)).nextCheckAt).not.toBeNull();
    expect(await queuedChecks(db, gaveUp.id)).toEqual([]);
    expect(await queuedChecks(db, platform.id)).toEqual([]);

    // Run again: everything due has its job now.
    expect((await sweepDueWork(db, config, now)).domains).toBe(0);
  });
});

describe("notifications for admins", () => {
  it("count unread per user, and 'mark all read' clears only the caller's", async () => {
    clock = new Date();
    const { domain, publishReceiving } = await register("bell.acme.test");
    publishReceiving();
    await check(domain.id);

    const adminFeed = await getNotificationFeed({ organizationId: acme.id, userId: admin.id });
    expect(adminFeed).toMatchObject({ unread: 1, items: [{ kind: "domain.verified", title: "bell.acme.test is verified", unread: true }] });

    await actAs("admin@acme.example");
    const response = await notificationsRoute(apiRequest("http://localhost/api/notifications"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ unread: 1, items: [{ domainId: domain.id }] });

    expect(await markNotificationsReadAction({ upTo: adminFeed.items[0]!.createdAt })).toMatchObject({ ok: true });
    expect(await getNotificationFeed({ organizationId: acme.id, userId: admin.id })).toMatchObject({ unread: 0, items: [{ unread: false }] });
    expect((await getNotificationFeed({ organizationId: acme.id, userId: viewer.id })).unread).toBe(1);

    // A notification after the newest one shown stays unread.
    world.unpublish("bell.acme.test", "MX");
    clock = new Date(Date.now() + 1000);
    await check(domain.id);
    expect((await getNotificationFeed({ organizationId: acme.id, userId: admin.id })).unread).toBe(1);
  });

  it("are only for signed-in users of the organisation", async () => {
    clock = new Date();
    const { domain, publishReceiving } = await register("private.acme.test");
    publishReceiving();
    await check(domain.id);
    expect((await notificationsRoute(apiRequest("http://localhost/api/notifications"))).status).toBe(401);
    await actAs("admin@globex.example");
    expect((await notificationsRoute(apiRequest("http://localhost/api/notifications"))).status).toBe(403);
    await actAs("nopermission@acme.example");
    expect((await notificationsRoute(apiRequest("http://localhost/api/notifications"))).status).toBe(403);
    await actAs("viewer@acme.example");
    expect(await (await notificationsRoute(apiRequest("http://localhost/api/notifications"))).json()).toMatchObject({ unread: 1 });
  });
});

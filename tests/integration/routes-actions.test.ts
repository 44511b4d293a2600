import pg from "pg";
import { beforeEach, describe, expect, it } from "vitest";

import { createRouteAction, deleteRouteAction, testAddressAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { databaseUrl, getDb } from "@/lib/db/client";
import type { CreateRouteInput } from "@/lib/routes/schemas";
import { getRoute, listDomainRoutes } from "@/lib/routes/queries";

import { actAs, actAsNobody } from "../support/request-context";
import { DOCUMENTED_ROUTE_DEFAULTS } from "../support/route-defaults";
import { clearRouting, INITECH_ADMIN, makeDomain, makeQueue, makeRoute, makeRoutingWorld, routeCount, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, globex, initech } = await seedRoutingOrganizations(db);

let world: Awaited<ReturnType<typeof makeRoutingWorld>>;

beforeEach(async () => {
  await clearRouting(db);
  world = await makeRoutingWorld(db, acme.id);
  actAsNobody();
});

const minimal = (pattern = "support"): CreateRouteInput => ({
  domainId: world.domain.id,
  pattern,
  queueId: world.support.id,
  fromName: "Acme Support",
});

async function auditActions() {
  return (await db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((entry) => entry.action);
}

describe("route actions: who may call them", () => {
  it("refuses a caller with no session, and changes nothing", async () => {
    const existing = await makeRoute(db, acme.id, world.domain, "sales", world.support.id);
    expect(await createRouteAction(minimal())).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await updateRouteAction({ ...minimal("renamed"), id: existing.id, version: 1 })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await deleteRouteAction({ id: existing.id })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await testAddressAction({ address: "sales@help.acme.test" })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect((await db.route.findMany()).map((route) => route.pattern)).toEqual(["sales"]);
    expect(await auditActions()).toEqual([]);
  });

  it("refuses a viewer every change, naming the permission, but lets them test addresses", async () => {
    const existing = await makeRoute(db, acme.id, world.domain, "sales", world.support.id);
    await actAs("viewer@acme.example");
    const create = await createRouteAction(minimal());
    expect(create).toMatchObject({ ok: false, code: "permission_required" });
    if (!create.ok) expect(create.error).toContain("Routing > Email > Manage");
    expect(await updateRouteAction({ ...minimal("renamed"), id: existing.id, version: 1 })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await deleteRouteAction({ id: existing.id })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await testAddressAction({ address: "sales@help.acme.test" })).toMatchObject({ ok: true, data: { outcome: "routed" } });
    expect((await db.route.findMany()).map((route) => route.pattern)).toEqual(["sales"]);
  });

  it("refuses a user with no email routing permission, even to test an address", async () => {
    const existing = await makeRoute(db, acme.id, world.domain, "sales", world.support.id);
    await actAs("nopermission@acme.example");
    expect(await createRouteAction(minimal())).toMatchObject({ ok: false, code: "permission_required" });
    expect(await deleteRouteAction({ id: existing.id })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await testAddressAction({ address: "sales@help.acme.test" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await routeCount(db)).toBe(1);
  });

  it("refuses an administrator whose organisation's licence does not qualify", async () => {
    const globexDomain = await makeDomain(db, globex.id, "help.globex.test");
    const globexQueue = await makeQueue(db, globex.id, "Support");
    await actAs("admin@globex.example");
    const result = await createRouteAction({ domainId: globexDomain.id, pattern: "support", queueId: globexQueue.id, fromName: "Globex" });
    expect(result).toMatchObject({ ok: false, code: "licence_required" });
    expect(await routeCount(db)).toBe(0);
  });

  it("never lets another organisation's administrator read or change Acme's routes", async () => {
    const acmeRoute = await makeRoute(db, acme.id, world.domain, "sales", world.support.id);
    const initechDomain = await makeDomain(db, initech.id, "help.initech.test");
    const initechQueue = await makeQueue(db, initech.id, "Support");
    await actAs(INITECH_ADMIN);

    // Acme's domain, queue, skill and language ids are unknown to Initech.
    const create = await createRouteAction({
      domainId: world.domain.id,
      pattern: "stolen",
      queueId: world.support.id,
      fromName: "Initech",
    });
    expect(create).toMatchObject({ ok: false, code: "validation", fieldErrors: { domainId: [expect.any(String)] } });
    const mixed = await createRouteAction({
      domainId: initechDomain.id,
      pattern: "mixed",
      queueId: world.support.id,
      spamQueueId: world.spam.id,
      skillIds: [world.billing.id],
      languageId: world.english.id,
      replyRouteId: acmeRoute.id,
      fromName: "Initech",
    });
    expect(mixed).toMatchObject({ ok: false, code: "validation" });
    if (!mixed.ok) expect(Object.keys(mixed.fieldErrors ?? {}).sort()).toEqual(["languageId", "queueId", "replyRouteId", "skillIds", "spamQueueId"]);

    const update = await updateRouteAction({ ...minimal("hijacked"), domainId: initechDomain.id, queueId: initechQueue.id, id: acmeRoute.id, version: 1 });
    expect(update).toMatchObject({ ok: false, code: "not_found" });
    expect(await deleteRouteAction({ id: acmeRoute.id })).toMatchObject({ ok: false, code: "not_found" });
    // The tester does not reveal that Acme holds the domain.
    expect(await testAddressAction({ address: "sales@help.acme.test" })).toMatchObject({ ok: true, data: { outcome: "unknown_domain", route: null } });

    expect(await db.route.findUniqueOrThrow({ where: { id: acmeRoute.id } })).toMatchObject({ pattern: "sales", version: 1, organizationId: acme.id });
    expect(await routeCount(db, initech.id)).toBe(0);
    expect(await auditActions()).toEqual([]);
  });

  it("takes away access as soon as the permission is removed mid-session", async () => {
    await actAs("admin@acme.example");
    await db.user.update({ where: { email: "admin@acme.example" }, data: { permissions: ["routing:email:view"] } });
    try {
      expect(await createRouteAction(minimal())).toMatchObject({ ok: false, code: "permission_required" });
    } finally {
      await db.user.update({ where: { email: "admin@acme.example" }, data: { permissions: ["routing:email:manage"] } });
    }
    expect(await routeCount(db)).toBe(0);
  });
});

describe("creating a route", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("needs only domain, pattern, queue and from name, and fills in the documented defaults", async () => {
    const result = await createRouteAction(minimal("Support"));
    expect(result).toMatchObject({ ok: true, data: { address: "Support@help.acme.test", version: 1 } });
    if (!result.ok) return;
    const route = await getRoute(db, acme.id, result.data.id);
    expect(route).toMatchObject({ pattern: "Support", ...DOCUMENTED_ROUTE_DEFAULTS, status: "active" });
    const stored = await db.route.findUniqueOrThrow({ where: { id: result.data.id } });
    expect(stored).toMatchObject({ patternKey: "support", address: "support@help.acme.test" });
  });

  it("accepts every field as the strings a form sends", async () => {
    const result = await createRouteAction({
      ...minimal("billing"),
      priority: "9",
      skillIds: world.billing.id,
      languageId: world.english.id,
      fromEmail: "Replies@Help.Acme.test",
      autoBcc: "audit@acme.test\nrecords@acme.test; archive@acme.test",
      historyInclusion: "Exclude",
      allowMultipleActions: "on",
      spamQueueId: world.spam.id,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(await getRoute(db, acme.id, result.data.id)).toMatchObject({
      priority: 9,
      skillNames: ["Billing"],
      languageName: "English",
      fromEmail: "Replies@help.acme.test",
      autoBcc: ["audit@acme.test", "records@acme.test", "archive@acme.test"],
      historyInclusion: "Exclude",
      allowMultipleActions: true,
      spamQueueName: "Spam",
    });
    expect((await createRouteAction({ ...minimal("flags"), allowMultipleActions: "false" })).ok).toBe(true);
    expect((await db.route.findFirstOrThrow({ where: { patternKey: "flags" } })).allowMultipleActions).toBe(false);
  });

  it.each([
    ["", "Enter the part before the @"],
    ["two..dots", "two dots in a row"],
    [".leading", "cannot start or end with a dot"],
    ["trailing.", "cannot start or end with a dot"],
    ["has space", "cannot contain spaces"],
    ["support@help.acme.test", "only the part before the @"],
    ["quote\"d", "is not allowed"],
    ["ünicode", "is not allowed"],
    ["x".repeat(65), "at most 64 characters"],
  ])("refuses the pattern %j next to the field", async (pattern, message) => {
    const result = await createRouteAction(minimal(pattern));
    expect(result).toMatchObject({ ok: false, code: "validation" });
    if (!result.ok) expect(result.fieldErrors?.pattern?.[0]).toContain(message);
    expect(await routeCount(db)).toBe(0);
  });

  it("accepts every RFC 5321 dot-atom character and exactly 64 characters", async () => {
    for (const pattern of ["first.last", "a+tag", "o'brien", "x!#$%&'*+/=?^_`{|}~-y", "y".repeat(64)]) {
      expect(await createRouteAction(minimal(pattern)), pattern).toMatchObject({ ok: true });
    }
  });

  it("refuses the same address on the same domain whatever its case, on the pattern field", async () => {
    expect((await createRouteAction(minimal("Sales"))).ok).toBe(true);
    const again = await createRouteAction(minimal("SALES"));
    expect(again).toMatchObject({ ok: false, code: "conflict", fieldErrors: { pattern: ["SALES@help.acme.test already has a route"] } });
    // The same local part on another domain is another address.
    expect((await createRouteAction({ ...minimal("sales"), domainId: world.pendingDomain.id })).ok).toBe(true);
    expect(await routeCount(db)).toBe(2);
    expect(await auditActions()).toEqual(["route.create", "route.create"]);
  });

  it("lets exactly one of two simultaneous creates of one address win; the other hears why on the pattern", async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([createRouteAction(minimal(`race${round}`)), createRouteAction(minimal(`RACE${round}`))]);
      const winners = results.filter((result) => result.ok);
      const losers = results.filter((result) => !result.ok);
      expect(winners).toHaveLength(1);
      expect(losers).toEqual([
        expect.objectContaining({ code: "conflict", fieldErrors: { pattern: [expect.stringMatching(new RegExp(`^race${round}@help.acme.test already has a route$`, "i"))] } }),
      ]);
    }
    expect(await routeCount(db)).toBe(5);
    expect(await db.auditEntry.count({ where: { action: "route.create" } })).toBe(5);
  });

  it("accepts a From email only on a verified domain of the organisation", async () => {
    const foreign = await makeDomain(db, initech.id, "help.initech.test");
    const cases: [string, string][] = [
      ["replies@new.acme.test", "new.acme.test is not verified yet"],
      ["replies@help.initech.test", "verified domains"],
      ["replies@gmail.test", "verified domains"],
      ["not-an-address", "is not an email address"],
    ];
    for (const [fromEmail, message] of cases) {
      const result = await createRouteAction({ ...minimal(), fromEmail });
      expect(result, fromEmail).toMatchObject({ ok: false });
      if (!result.ok) expect(result.fieldErrors?.fromEmail?.[0]).toContain(message);
    }
    expect(foreign.organizationId).toBe(initech.id);
    await db.domain.update({ where: { id: world.pendingDomain.id }, data: { status: "grace" } });
    expect((await createRouteAction({ ...minimal(), fromEmail: "replies@new.acme.test" })).ok).toBe(true);
  });

  it("takes the reply address from another route of the organisation, never with From email or auto-BCC", async () => {
    const other = await makeRoute(db, acme.id, world.domain, "sales", world.support.id);
    const both = await createRouteAction({ ...minimal(), replyRouteId: other.id, fromEmail: "x@help.acme.test" });
    expect(both).toMatchObject({ ok: false, fieldErrors: { replyRouteId: [expect.stringContaining("not both")] } });
    const withBcc = await createRouteAction({ ...minimal(), replyRouteId: other.id, autoBcc: "audit@acme.test" });
    expect(withBcc).toMatchObject({ ok: false, fieldErrors: { autoBcc: [expect.stringContaining("another route")] } });
    const unknown = await createRouteAction({ ...minimal(), replyRouteId: "00000000-0000-4000-8000-000000000001" });
    expect(unknown).toMatchObject({ ok: false, fieldErrors: { replyRouteId: [expect.stringContaining("does not exist")] } });
    expect(await routeCount(db)).toBe(1);
    const ok = await createRouteAction({ ...minimal(), replyRouteId: other.id });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(await getRoute(db, acme.id, ok.data.id)).toMatchObject({ replyAddress: "sales@help.acme.test" });
  });

  it("allows at most five valid, distinct auto-BCC addresses", async () => {
    const six = Array.from({ length: 6 }, (_, index) => `copy${index}@acme.test`);
    expect(await createRouteAction({ ...minimal(), autoBcc: six })).toMatchObject({ fieldErrors: { autoBcc: [expect.stringContaining("at most 5")] } });
    expect(await createRouteAction({ ...minimal(), autoBcc: ["a@acme.test", "A@ACME.test"] })).toMatchObject({
      fieldErrors: { autoBcc: [expect.stringContaining("listed twice")] },
    });
    expect(await createRouteAction({ ...minimal(), autoBcc: "nope" })).toMatchObject({ fieldErrors: { autoBcc: [expect.stringContaining("not an email address")] } });
    expect(await routeCount(db)).toBe(0);
    expect((await createRouteAction({ ...minimal(), autoBcc: six.slice(0, 5) })).ok).toBe(true);
  });

  it("keeps priority between 1 and 10 and history inclusion to its three values", async () => {
    for (const priority of [0, 11, "1.5", "high"]) {
      expect(await createRouteAction({ ...minimal(), priority }), String(priority)).toMatchObject({ fieldErrors: { priority: ["Choose a priority from 1 to 10"] } });
    }
    expect(await createRouteAction({ ...minimal(), historyInclusion: "Sometimes" as "Include" })).toMatchObject({ fieldErrors: { historyInclusion: [expect.any(String)] } });
    expect(await createRouteAction({ ...minimal(), spamQueueId: world.support.id })).toMatchObject({ fieldErrors: { spamQueueId: [expect.any(String)] } });
    expect(await routeCount(db)).toBe(0);
    expect((await createRouteAction({ ...minimal("one"), priority: 1 })).ok).toBe(true);
    expect((await createRouteAction({ ...minimal("ten"), priority: "10" })).ok).toBe(true);
  });

  it("explains, without internals, a queue deleted between the checks and the write", async () => {
    const doomed = await makeQueue(db, acme.id, "Doomed");
    // Another session deletes the queue and holds its transaction open; the create checks the queue
    // (still there for it), then waits on the row at insert time; the delete commits first.
    const other = new pg.Client({ connectionString: databaseUrl() });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("DELETE FROM queues WHERE id = $1", [doomed.id]);
      const deleter = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
      const pending = createRouteAction({ ...minimal(), queueId: doomed.id });
      // Commit only once the create is waiting for the deleting transaction (the queue row's lock).
      const waitingOnDelete = async () => {
        const [row] = await db.$queryRaw<{ waiting: number }[]>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE ${deleter}::int = ANY(pg_blocking_pids(pid))`;
        return row?.waiting;
      };
      await expect.poll(waitingOnDelete, { timeout: 10_000, interval: 20 }).toBe(1);
      await other.query("COMMIT");
      const result = await pending;
      expect(result).toMatchObject({ ok: false, code: "validation" });
      if (!result.ok) expect(result.error).toContain("was deleted just now; nothing was saved");
    } finally {
      await other.end();
    }
    expect(await routeCount(db)).toBe(0);
    expect(await auditActions()).toEqual([]);
  });

  it("records who created what in the audit log, in readable values", async () => {
    const result = await createRouteAction({ ...minimal(), skillIds: [world.billing.id], spamQueueId: world.spam.id });
    if (!result.ok) throw new Error(result.error);
    const entry = await db.auditEntry.findFirstOrThrow({ where: { action: "route.create" } });
    expect(entry).toMatchObject({ organizationId: acme.id, actorEmail: "admin@acme.example", entityType: "route", entityId: result.data.id, entityLabel: "support@help.acme.test" });
    expect(entry.before).toBeNull();
    expect(entry.after).toMatchObject({ address: "support@help.acme.test", queue: "Support", skills: ["Billing"], spamQueue: "Spam", priority: 5 });
  });
});

describe("route status follows the domain", () => {
  it("is pending until the domain is verified, active once it is, and error when it degrades or fails", async () => {
    const route = await makeRoute(db, acme.id, world.pendingDomain, "hello", world.support.id);
    const statusNow = async () => (await getRoute(db, acme.id, route.id)).status;
    expect(await statusNow()).toBe("pending");
    for (const [domainStatus, routeStatus] of [
      ["verified", "active"],
      ["grace", "active"],
      ["degraded", "error"],
      ["failed", "error"],
      ["pending", "pending"],
    ] as const) {
      await db.domain.update({ where: { id: world.pendingDomain.id }, data: { status: domainStatus } });
      expect(await statusNow(), domainStatus).toBe(routeStatus);
    }
  });
});

describe("editing a route", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  async function created(pattern = "support") {
    const result = await createRouteAction({ ...minimal(pattern), skillIds: [world.billing.id] });
    if (!result.ok) throw new Error(result.error);
    return getRoute(db, acme.id, result.data.id);
  }

  it("saves every field, bumps the version and audits before and after", async () => {
    const route = await created();
    const result = await updateRouteAction({
      ...minimal("help"),
      id: route.id,
      version: route.version,
      priority: 2,
      skillIds: [],
      languageId: world.english.id,
    });
    expect(result).toMatchObject({ ok: true, data: { version: 2, address: "help@help.acme.test" } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ pattern: "help", priority: 2, skillIds: [], languageName: "English", version: 2 });
    const entry = await db.auditEntry.findFirstOrThrow({ where: { action: "route.update" } });
    expect(entry.before).toMatchObject({ address: "support@help.acme.test", priority: 5, skills: ["Billing"], language: null });
    expect(entry.after).toMatchObject({ address: "help@help.acme.test", priority: 2, skills: [], language: "English" });
  });

  it("refuses a save based on a stale version, returning what is there now and who changed it", async () => {
    const route = await created();
    await actAs("viewer@acme.example");
    await db.user.update({ where: { email: "viewer@acme.example" }, data: { permissions: ["routing:email:manage"] } });
    try {
      expect((await updateRouteAction({ ...minimal(), id: route.id, version: 1, fromName: "Their name", priority: 8 })).ok).toBe(true);
    } finally {
      await db.user.update({ where: { email: "viewer@acme.example" }, data: { permissions: ["routing:email:view"] } });
    }
    await actAs("admin@acme.example");
    const stale = await updateRouteAction({ ...minimal(), id: route.id, version: 1, fromName: "My name" });
    expect(stale).toMatchObject({ ok: false, code: "stale" });
    if (stale.ok) return;
    const current = stale.current!;
    expect(current.changedBy).toBe("viewer@acme.example");
    expect(current.route).toMatchObject({ fromName: "Their name", priority: 8, version: 2 });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "Their name", version: 2 });

    // Overwriting means saving again on top of the version now shown.
    const overwrite = await updateRouteAction({ ...minimal(), id: route.id, version: current.route.version, fromName: "My name" });
    expect(overwrite).toMatchObject({ ok: true, data: { version: 3 } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "My name", priority: 5 });
  });

  it("lets only one of two simultaneous saves of the same version through", async () => {
    const route = await created();
    const results = await Promise.all(
      ["First", "Second", "Third"].map((fromName) => updateRouteAction({ ...minimal(), id: route.id, version: 1, fromName })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.code === "stale")).toHaveLength(2);
    const after = await getRoute(db, acme.id, route.id);
    expect(after.version).toBe(2);
    expect(await db.auditEntry.count({ where: { action: "route.update" } })).toBe(1);
  });

  it("refuses renaming onto an address that exists, on the pattern field", async () => {
    await created("sales");
    const route = await created("support");
    const result = await updateRouteAction({ ...minimal("SALES"), id: route.id, version: route.version });
    expect(result).toMatchObject({ ok: false, code: "conflict", fieldErrors: { pattern: [expect.stringContaining("already has a route")] } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ pattern: "support", version: 1 });
  });

  it("refuses a route replying from its own address", async () => {
    const route = await created();
    const result = await updateRouteAction({ ...minimal(), id: route.id, version: 1, replyRouteId: route.id });
    expect(result).toMatchObject({ ok: false, fieldErrors: { replyRouteId: [expect.stringContaining("own address")] } });
  });
});

describe("deleting a route", () => {
  beforeEach(async () => {
    await actAs("admin@acme.example");
  });

  it("deletes it and records the route as it was", async () => {
    const result = await createRouteAction(minimal());
    if (!result.ok) throw new Error(result.error);
    expect(await deleteRouteAction({ id: result.data.id })).toMatchObject({ ok: true, data: { address: "support@help.acme.test" } });
    expect(await routeCount(db)).toBe(0);
    const entry = await db.auditEntry.findFirstOrThrow({ where: { action: "route.delete" } });
    expect(entry.before).toMatchObject({ address: "support@help.acme.test", queue: "Support" });
    expect(entry.after).toBeNull();
  });

  it("refuses while other routes reply from its address, naming them", async () => {
    const target = await makeRoute(db, acme.id, world.domain, "support", world.support.id);
    await makeRoute(db, acme.id, world.domain, "billing", world.support.id, { replyRouteId: target.id });
    await makeRoute(db, acme.id, world.domain, "sales", world.support.id, { replyRouteId: target.id });
    const result = await deleteRouteAction({ id: target.id });
    expect(result).toMatchObject({ ok: false, code: "conflict" });
    if (!result.ok) expect(result.error).toContain("replies of 2 routes come from it (billing@help.acme.test, sales@help.acme.test)");
    expect(await routeCount(db)).toBe(3);
    expect(await auditActions()).toEqual([]);
  });

  it("says so when the route is already gone", async () => {
    expect(await deleteRouteAction({ id: "00000000-0000-4000-8000-000000000002" })).toMatchObject({ ok: false, code: "not_found" });
  });
});

describe("listing a domain's routes (the wizard's Addresses step)", () => {
  it("returns that domain's routes of the organisation only, in address order", async () => {
    await makeRoute(db, acme.id, world.domain, "zeta", world.support.id);
    await makeRoute(db, acme.id, world.domain, "Alpha", world.support.id);
    await makeRoute(db, acme.id, world.pendingDomain, "other", world.support.id);
    expect((await listDomainRoutes(db, acme.id, world.domain.id)).map((route) => route.address)).toEqual(["Alpha@help.acme.test", "zeta@help.acme.test"]);
    expect(await listDomainRoutes(db, initech.id, world.domain.id)).toEqual([]);
  });
});

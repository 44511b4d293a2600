import { beforeAll, describe, expect, it } from "vitest";

import { GET as listRoutesHandler } from "@/app/api/routes/route";
import { getDb } from "@/lib/db/client";
import { routesPageView } from "@/lib/routes/queries";
import { listRoutesQuerySchema } from "@/lib/routes/schemas";
import type { RoutePage } from "@/lib/routes/types";

import { actAs, actAsNobody, apiRequest } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, makeQueue, makeRoute, makeSkill, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

let ids: Record<string, string>;

beforeAll(async () => {
  await clearRouting(db);
  const help = await makeDomain(db, acme.id, "help.acme.test");
  const fresh = await makeDomain(db, acme.id, "new.acme.test", { status: "pending" });
  const broken = await makeDomain(db, acme.id, "old.acme.test", { status: "degraded" });
  const support = await makeQueue(db, acme.id, "Support");
  const billing = await makeQueue(db, acme.id, "Billing");
  const vip = await makeSkill(db, acme.id, "VIP");
  // 120 routes on help.acme.test, alternating queues; priorities 1..10.
  for (let index = 0; index < 120; index++) {
    const pattern = `agent${String(index).padStart(3, "0")}`;
    await makeRoute(db, acme.id, help, pattern, index % 2 === 0 ? support.id : billing.id, { priority: (index % 10) + 1 });
  }
  await makeRoute(db, acme.id, help, "first_line", support.id, { skillIds: [vip.id] });
  await makeRoute(db, acme.id, help, "firstxline", support.id);
  await makeRoute(db, acme.id, fresh, "hello", billing.id);
  await makeRoute(db, acme.id, broken, "legacy", billing.id);
  const initechDomain = await makeDomain(db, initech.id, "help.initech.test");
  const initechQueue = await makeQueue(db, initech.id, "Support");
  await makeRoute(db, initech.id, initechDomain, "agent001", initechQueue.id);
  ids = { help: help.id, fresh: fresh.id, broken: broken.id, support: support.id, billing: billing.id, initechDomain: initechDomain.id };
});

async function list(params: Record<string, string> = {}) {
  const response = await listRoutesHandler(apiRequest(`http://localhost/api/routes?${new URLSearchParams(params).toString()}`));
  return { status: response.status, body: (await response.json()) as RoutePage & { code?: string; error?: string } };
}

describe("GET /api/routes: a search it cannot run", () => {
  it("answers a NUL byte or another control character in the search with a field error, not a 500", async () => {
    await actAs("viewer@acme.example");
    for (const q of ["\u0000", "support\u0000", "a\u0007b"]) {
      expect(await list({ q }), JSON.stringify(q)).toMatchObject({
        status: 422,
        body: { code: "validation", fieldErrors: { q: [expect.stringContaining("control characters")] } },
      });
    }
    expect(await list({ q: "support" })).toMatchObject({ status: 200 });
  });
});

describe("GET /api/routes: the gate", () => {
  it("answers 401 without a session, 403 without permission or licence, and lists for a viewer", async () => {
    actAsNobody();
    expect(await list()).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
    await actAs("nopermission@acme.example");
    expect(await list()).toMatchObject({ status: 403, body: { code: "permission_required" } });
    await actAs("admin@globex.example");
    expect(await list()).toMatchObject({ status: 403, body: { code: "licence_required" } });
    await actAs("viewer@acme.example");
    expect(await list()).toMatchObject({ status: 200, body: { total: 124 } });
  });

  it("shows each organisation only its own routes, whatever the filters ask for", async () => {
    await actAs(INITECH_ADMIN);
    const own = await list();
    expect(own.body.rows.map((row) => row.address)).toEqual(["agent001@help.initech.test"]);
    expect((await list({ domain: ids.help! })).body.total).toBe(0);
    expect((await list({ queue: ids.support! })).body.total).toBe(0);
    await actAs("admin@acme.example");
    expect((await list({ domain: ids.initechDomain! })).body.total).toBe(0);
    expect((await list({ q: "initech" })).body.total).toBe(0);
  });
});

describe("GET /api/routes: search, filters, sort and pages", () => {
  it("pages through in address order, and a page past the end shows the last page", async () => {
    await actAs("admin@acme.example");
    const first = await list({ size: "25" });
    expect(first.body).toMatchObject({ total: 124, page: 1, pageSize: 25, pageCount: 5 });
    expect(first.body.rows.slice(0, 2).map((row) => row.address)).toEqual(["agent000@help.acme.test", "agent001@help.acme.test"]);
    const third = await list({ size: "25", page: "3" });
    expect(third.body.rows[0]?.address).toBe("agent050@help.acme.test");
    const beyond = await list({ size: "25", page: "99" });
    expect(beyond.body).toMatchObject({ page: 5 });
    expect(beyond.body.rows.map((row) => row.address)).toEqual([
      ...Array.from({ length: 20 }, (_, index) => `agent${100 + index}@help.acme.test`),
      "first_line@help.acme.test",
      "firstxline@help.acme.test",
      "hello@new.acme.test",
      "legacy@old.acme.test",
    ]);
  });

  it("searches addresses, queue names and skill names; _ and % match themselves", async () => {
    await actAs("admin@acme.example");
    expect((await list({ q: "AGENT11" })).body.rows.map((row) => row.pattern)).toEqual(Array.from({ length: 10 }, (_, index) => `agent${110 + index}`));
    expect((await list({ q: "first_" })).body.rows.map((row) => row.pattern)).toEqual(["first_line"]);
    expect((await list({ q: "%" })).body.total).toBe(0);
    expect((await list({ q: "vip" })).body.rows.map((row) => row.pattern)).toEqual(["first_line"]);
    const billing = await list({ q: "billing", size: "100" });
    expect(billing.body.total).toBe(62);
    expect(billing.body.rows.every((row) => row.queueName === "Billing")).toBe(true);
  });

  it("filters by domain, queue and status (which follows the domain)", async () => {
    await actAs("admin@acme.example");
    expect((await list({ domain: ids.fresh! })).body.rows.map((row) => row.address)).toEqual(["hello@new.acme.test"]);
    expect((await list({ queue: ids.billing!, domain: ids.help! })).body.total).toBe(60);
    const pending = await list({ status: "pending" });
    expect(pending.body.rows.map((row) => [row.address, row.status])).toEqual([["hello@new.acme.test", "pending"]]);
    expect((await list({ status: "error" })).body.rows.map((row) => [row.address, row.status])).toEqual([["legacy@old.acme.test", "error"]]);
    expect((await list({ status: "active" })).body.total).toBe(122);
  });

  it("sorts by priority, queue and last update, either way", async () => {
    await actAs("admin@acme.example");
    const byPriority = await list({ sort: "priority", dir: "desc", size: "25", domain: ids.help! });
    expect(byPriority.body.rows.slice(0, 3).map((row) => [row.priority, row.pattern])).toEqual([
      [10, "agent119"],
      [10, "agent109"],
      [10, "agent099"],
    ]);
    const byQueue = await list({ sort: "queue", size: "100" });
    expect(byQueue.body.rows[0]?.queueName).toBe("Billing");
    expect((await list({ sort: "queue", dir: "desc" })).body.rows[0]?.queueName).toBe("Support");
    const newest = await db.route.findFirstOrThrow({ where: { organizationId: acme.id, pattern: "agent042" } });
    await db.route.update({ where: { id: newest.id }, data: { fromName: "Touched" } });
    expect((await list({ sort: "updated", dir: "desc" })).body.rows[0]?.pattern).toBe("agent042");
  });

  it("ignores malformed parameters instead of failing", async () => {
    await actAs("admin@acme.example");
    const odd = await list({ page: "-3", size: "7", sort: "drop table", dir: "sideways", domain: "nope", status: "maybe" });
    expect(odd).toMatchObject({ status: 200, body: { page: 1, pageSize: 50, total: 124 } });
  });
});

describe("the /routes page's reading: rows first, the total after", () => {
  it("gives the page's rows and a promise of the total, which counts every match of this organisation only", async () => {
    const view = await routesPageView({ organizationId: acme.id }, listRoutesQuerySchema.parse({ size: "25" }));
    expect(view.total).toBeInstanceOf(Promise);
    expect(view.page).toMatchObject({ page: 1, pageSize: 25 });
    expect(view.page.rows.map((row) => row.address).slice(0, 2)).toEqual(["agent000@help.acme.test", "agent001@help.acme.test"]);
    expect(view.lookups.queues.map((queue) => queue.name)).toEqual(["Billing", "Support"]);
    expect(await view.total).toBe(124);
    const filtered = await routesPageView({ organizationId: acme.id }, listRoutesQuerySchema.parse({ q: "first" }));
    expect(filtered.page.rows.map((row) => row.pattern)).toEqual(["first_line", "firstxline"]);
    expect(await filtered.total).toBe(2);
    expect(await (await routesPageView({ organizationId: initech.id }, listRoutesQuerySchema.parse({}))).total).toBe(1);
  });

  it("reads the last page for a page past the end, once the count says which that is", async () => {
    const view = await routesPageView({ organizationId: acme.id }, listRoutesQuerySchema.parse({ size: "25", page: "99" }));
    expect(view.page.page).toBe(5);
    expect(view.page.rows).toHaveLength(24);
    expect(await view.total).toBe(124);
    const none = await routesPageView({ organizationId: acme.id }, listRoutesQuerySchema.parse({ q: "no-such-route", page: "3" }));
    expect(none.page).toMatchObject({ page: 1, rows: [] });
    expect(await none.total).toBe(0);
  });
});

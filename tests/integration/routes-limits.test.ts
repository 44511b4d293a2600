import { beforeEach, describe, expect, it } from "vitest";

import { createRouteAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { POST as importHandler } from "@/app/api/routes/import/route";
import { getDb } from "@/lib/db/client";
import type { ImportReport } from "@/lib/routes/types";

import { actAs, apiRequest } from "../support/request-context";
import { clearRouting, makeDomain, makeQueue, makeRoute, routeCount, seedRoutingOrganizations } from "../support/routing-fixtures";

// The configuration is read once per process, on first use: set before any action runs.
process.env.MAX_ROUTES_PER_DOMAIN = "3";

const db = getDb();
const { acme } = await seedRoutingOrganizations(db);

let domain: { id: string; name: string };
let other: { id: string; name: string };
let queueId: string;

beforeEach(async () => {
  await clearRouting(db);
  domain = await makeDomain(db, acme.id, "help.acme.test");
  other = await makeDomain(db, acme.id, "other.acme.test");
  queueId = (await makeQueue(db, acme.id, "Support")).id;
  await actAs("admin@acme.example");
});

const create = (pattern: string, domainId = domain.id) => createRouteAction({ domainId, pattern, queueId, fromName: "Acme" });

describe("MAX_ROUTES_PER_DOMAIN", () => {
  it("refuses a route beyond the limit, saying what to do, and counts per domain", async () => {
    for (const pattern of ["a", "b", "c"]) expect((await create(pattern)).ok).toBe(true);
    const refused = await create("d");
    expect(refused).toMatchObject({ ok: false, code: "limit" });
    if (!refused.ok) expect(refused.error).toBe(
      "help.acme.test already has 3 routes, the most a domain may have. Delete routes you no longer use, or ask your operator to raise MAX_ROUTES_PER_DOMAIN.",
    );
    expect((await create("d", other.id)).ok).toBe(true);
    expect(await routeCount(db)).toBe(4);
  });

  it("holds under simultaneous creates: exactly as many as fit get in", async () => {
    const results = await Promise.all(["p1", "p2", "p3", "p4", "p5", "p6"].map((pattern) => create(pattern)));
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    expect(results.filter((result) => !result.ok && result.code === "limit")).toHaveLength(3);
    expect(await db.route.count({ where: { domainId: domain.id } })).toBe(3);
  });

  it("refuses moving a route onto a full domain", async () => {
    for (const pattern of ["a", "b", "c"]) await makeRoute(db, acme.id, domain, pattern, queueId);
    const mover = await makeRoute(db, acme.id, other, "mover", queueId);
    const result = await updateRouteAction({ id: mover.id, version: 1, domainId: domain.id, pattern: "mover", queueId, fromName: "Acme" });
    expect(result).toMatchObject({ ok: false, code: "limit" });
    expect((await db.route.findUniqueOrThrow({ where: { id: mover.id } })).domainId).toBe(other.id);
  });

  it("refuses an import that would pass the limit, and imports nothing", async () => {
    await makeRoute(db, acme.id, domain, "existing", queueId);
    const csv = ["domain,pattern,queue,fromName", ...["x", "y", "z"].map((pattern) => `help.acme.test,${pattern},Support,Acme`)].join("\n");
    const response = await importHandler(apiRequest("http://localhost/api/routes/import?mode=apply", { method: "POST", body: csv }));
    const report = ((await response.json()) as { data: ImportReport }).data;
    expect(report).toMatchObject({ applied: false, created: 0 });
    expect(report.fileErrors).toEqual([expect.stringContaining("This file would bring it to 4.")]);
    expect(await routeCount(db)).toBe(1);
  });
});

describe("the routes each domain holds, as the database keeps them", () => {
  /** Every domain's kept count next to a count of its routes; a domain without routes may have no row or 0. */
  async function keptAndCounted() {
    const rows = await db.$queryRaw<{ name: string; kept: number | null; counted: number }[]>`
      SELECT d.name, c.routes AS kept, (SELECT count(*)::int FROM routes r WHERE r.domain_id = d.id) AS counted
        FROM domains d LEFT JOIN domain_route_counts c ON c.domain_id = d.id ORDER BY d.name`;
    return rows.map((row) => ({ name: row.name, kept: row.kept ?? 0, counted: row.counted }));
  }
  const expectKeptToMatch = async (expected: Record<string, number>) => {
    const rows = await keptAndCounted();
    for (const row of rows) expect(row.kept, row.name).toBe(row.counted);
    expect(Object.fromEntries(rows.map((row) => [row.name, row.kept]))).toMatchObject(expected);
  };

  it("follows creates, imports, moves, deletes and a domain's deletion", async () => {
    expect((await create("a")).ok).toBe(true);
    expect((await create("b")).ok).toBe(true);
    await expectKeptToMatch({ "help.acme.test": 2, "other.acme.test": 0 });

    const csv = ["domain,pattern,queue,fromName", "other.acme.test,x,Support,Acme", "other.acme.test,y,Support,Acme"].join("\n");
    const imported = await importHandler(apiRequest("http://localhost/api/routes/import?mode=apply", { method: "POST", body: csv }));
    expect(((await imported.json()) as { data: ImportReport }).data).toMatchObject({ applied: true, created: 2 });
    await expectKeptToMatch({ "help.acme.test": 2, "other.acme.test": 2 });

    const mover = await db.route.findFirstOrThrow({ where: { domainId: other.id, pattern: "x" } });
    expect((await updateRouteAction({ id: mover.id, version: mover.version, domainId: domain.id, pattern: "x", queueId, fromName: "Acme" })).ok).toBe(true);
    await expectKeptToMatch({ "help.acme.test": 3, "other.acme.test": 1 });
    // A full domain refuses the next create by the kept count.
    expect(await create("c")).toMatchObject({ ok: false, code: "limit" });

    // Several domains changed by one statement, and an update that moves nothing.
    await db.route.updateMany({ data: { fromName: "Renamed" } });
    await db.route.deleteMany({ where: { pattern: { in: ["a", "y"] } } });
    await expectKeptToMatch({ "help.acme.test": 2, "other.acme.test": 0 });
    expect((await create("c")).ok).toBe(true);

    await db.domain.delete({ where: { id: domain.id } });
    expect(await db.$queryRaw<unknown[]>`SELECT 1 FROM domain_route_counts WHERE domain_id = ${domain.id}::uuid`).toEqual([]);
    await expectKeptToMatch({ "other.acme.test": 0 });
  });

  it("is emptied when the routes table is truncated", async () => {
    await makeRoute(db, acme.id, domain, "a", queueId);
    await db.$executeRawUnsafe("TRUNCATE routes CASCADE");
    expect(await db.$queryRaw<unknown[]>`SELECT 1 FROM domain_route_counts WHERE routes <> 0`).toEqual([]);
    expect((await create("a")).ok).toBe(true);
    await expectKeptToMatch({ "help.acme.test": 1 });
  });
});

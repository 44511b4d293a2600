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

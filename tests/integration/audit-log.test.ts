import { beforeAll, describe, expect, it } from "vitest";

import { createRouteAction, deleteRouteAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { createQueueAction } from "@/app/(console)/queues/actions";
import { recordAudit } from "@/lib/audit/audit";
import { exportAuditCsv, listAuditActions, listAuditEntries } from "@/lib/audit/queries";
import { auditQuerySchema } from "@/lib/audit/schemas";
import { getDb } from "@/lib/db/client";

import { actAs } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

const query = (params: Record<string, string> = {}) => auditQuerySchema.parse(params);

beforeAll(async () => {
  await clearRouting(db);
  const domain = await makeDomain(db, acme.id, "help.acme.test");
  const actor = await actAs("admin@acme.example");
  const queue = await createQueueAction({ name: "Support" });
  if (!queue.ok) throw new Error(queue.error);
  const created = await createRouteAction({ domainId: domain.id, pattern: "support", queueId: queue.data.id, fromName: "Acme" });
  if (!created.ok) throw new Error(created.error);
  await updateRouteAction({ domainId: domain.id, pattern: "support", queueId: queue.data.id, fromName: "Acme Care", id: created.data.id, version: 1 });
  for (let index = 0; index < 60; index++) {
    const route = await createRouteAction({ domainId: domain.id, pattern: `bulk${index}`, queueId: queue.data.id, fromName: "Acme" });
    if (route.ok && index % 20 === 0) await deleteRouteAction({ id: route.data.id });
  }
  // A domain change, as the set-up wizard records it.
  await db.$transaction((tx) => recordAudit(tx, actor, { action: "domain.register", entityType: "domain", entityId: domain.id, entityLabel: "help.acme.test", after: { name: "help.acme.test" } }));
  await actAs(INITECH_ADMIN);
  await createQueueAction({ name: "Initech queue" });
  // An old entry, for the date filter.
  await db.auditEntry.create({
    data: { organizationId: acme.id, actorEmail: "former@acme.example", action: "queue.delete", entityType: "queue", entityLabel: "Legacy", createdAt: new Date("2026-01-15T12:00:00Z") },
  });
});

describe("the audit log", () => {
  it("lists the organisation's entries newest first, 50 to a page", async () => {
    const first = await listAuditEntries(acme.id, query());
    // 1 queue + 61 creates + 1 update + 3 deletes + 1 domain + 1 legacy
    expect(first).toMatchObject({ total: 68, page: 1, pageCount: 2 });
    expect(first.entries).toHaveLength(50);
    expect(first.entries[0]).toMatchObject({ action: "domain.register", entityLabel: "help.acme.test" });
    const second = await listAuditEntries(acme.id, query({ page: "2" }));
    expect(second.entries).toHaveLength(18);
    expect(second.entries.at(-1)).toMatchObject({ actorEmail: "former@acme.example" });
    expect(first.entries.some((entry) => entry.entityLabel === "Initech queue")).toBe(false);
    expect((await listAuditEntries(initech.id, query())).entries.map((entry) => entry.entityLabel)).toEqual(["Initech queue"]);
  });

  it("filters by entity type, action, actor, date range and text", async () => {
    expect((await listAuditEntries(acme.id, query({ entity: "queue" }))).total).toBe(2);
    expect((await listAuditEntries(acme.id, query({ action: "route.delete" }))).entries.map((entry) => entry.entityLabel)).toEqual([
      "bulk40@help.acme.test",
      "bulk20@help.acme.test",
      "bulk0@help.acme.test",
    ]);
    expect((await listAuditEntries(acme.id, query({ actor: "FORMER" }))).total).toBe(1);
    expect((await listAuditEntries(acme.id, query({ from: "2026-01-15", to: "2026-01-15" }))).entries.map((entry) => entry.entityLabel)).toEqual(["Legacy"]);
    expect((await listAuditEntries(acme.id, query({ to: "2026-01-14" }))).total).toBe(0);
    expect((await listAuditEntries(acme.id, query({ q: "bulk1" }))).total).toBe(11);
    expect((await listAuditEntries(acme.id, query({ q: "_" }))).total).toBe(0);
    expect(await listAuditActions(acme.id)).toEqual(["domain.register", "queue.create", "queue.delete", "route.create", "route.delete", "route.update"]);
  });

  it("keeps before and after of an update", async () => {
    const [update] = (await listAuditEntries(acme.id, query({ action: "route.update" }))).entries;
    expect(update?.before).toMatchObject({ fromName: "Acme", address: "support@help.acme.test" });
    expect(update?.after).toMatchObject({ fromName: "Acme Care", address: "support@help.acme.test" });
  });

  it("links each entry to its object while it exists: a route by its address, a domain to its page", async () => {
    const routeEntries = (await listAuditEntries(acme.id, query({ q: "bulk20" }))).entries;
    // bulk20 was created and deleted: neither entry has anywhere to go.
    expect(routeEntries.map((entry) => [entry.action, entry.href])).toEqual([
      ["route.delete", null],
      ["route.create", null],
    ]);
    expect((await listAuditEntries(acme.id, query({ q: "bulk21" }))).entries.map((entry) => entry.href)).toEqual(["/routes?q=bulk21%40help.acme.test"]);
    expect((await listAuditEntries(acme.id, query({ action: "domain.register" }))).entries.map((entry) => entry.href)).toEqual(["/domains/help.acme.test"]);
    expect((await listAuditEntries(acme.id, query({ entity: "queue" }))).entries.map((entry) => [entry.entityLabel, entry.href])).toEqual([
      ["Support", "/queues"],
      ["Legacy", null],
    ]);
  });

  it("exports the filtered entries of every page as CSV, newest first", async () => {
    const lines = (await exportAuditCsv(acme.id, query({ action: "route.create" }))).trim().split("\n");
    expect(lines[0]).toBe("time_utc,actor,action,type,subject,summary,before,after");
    // support and 60 bulk routes, more than a page.
    expect(lines).toHaveLength(62);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,admin@acme\.example,route\.create,Routes,bulk59@help\.acme\.test,,,/);
    expect(await exportAuditCsv(initech.id, query({ q: "nothing like this" }))).toBe("time_utc,actor,action,type,subject,summary,before,after\n");
  });

  it("ignores malformed filters rather than failing", async () => {
    const odd = query({ entity: "nope", from: "yesterday", to: "2026-13-45", page: "zero" });
    expect(odd).toMatchObject({ entity: undefined, from: undefined, to: undefined, page: 1 });
  });
});

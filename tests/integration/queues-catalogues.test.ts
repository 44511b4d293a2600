import { beforeEach, describe, expect, it } from "vitest";

import * as queueActions from "@/app/(console)/queues/actions";
import { getDb } from "@/lib/db/client";
import { listCatalogue } from "@/lib/queues/queries";

import { actAs, actAsNobody } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, makeQueue, makeRoute, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

const { catalogueUsageAction } = queueActions;

/** A catalogue's own create, rename and delete actions (createSkillAction, updateSkillAction, deleteSkillAction…). */
const actionsOf = (title: "Skill" | "Language" | "Queue") => ({
  create: queueActions[`create${title}Action`],
  update: queueActions[`update${title}Action`],
  remove: queueActions[`delete${title}Action`],
});

/** A route on a domain and main queue of its own that uses a catalogue entry as `use` says; the address it answers on. */
async function routeUsing(kind: string, pattern: string, use: { skillIds?: string[]; languageId?: string; spamQueueId?: string }) {
  const { skillIds, ...columns } = use;
  const domain = await makeDomain(db, acme.id, `${kind}-${Date.now()}.acme.test`);
  const queue = await makeQueue(db, acme.id, `Queue ${Date.now()}`);
  const route = await makeRoute(db, acme.id, domain, pattern, queue.id, { skillIds });
  await db.route.update({ where: { id: route.id }, data: columns });
  return route.address;
}

/** One catalogue: its kind, its own actions, the names its table holds (in name order) and a way to put an entry in use. */
function catalogue<Kind extends "skill" | "language" | "queue">(
  kind: Kind,
  title: "Skill" | "Language" | "Queue",
  rows: (organizationId: string) => Promise<{ name: string }[]>,
  use: (id: string) => Promise<string>,
) {
  return { kind, ...actionsOf(title), names: async (organizationId: string) => (await rows(organizationId)).map((row) => row.name), use };
}

const BY_NAME = { nameKey: "asc" } as const;

/** The same life cycle for the three catalogues, through their own actions. */
const CATALOGUES = [
  catalogue("skill", "Skill", (organizationId) => db.skill.findMany({ where: { organizationId }, orderBy: BY_NAME }), (id) => routeUsing("skill", "uses", { skillIds: [id] })),
  catalogue("language", "Language", (organizationId) => db.language.findMany({ where: { organizationId }, orderBy: BY_NAME }), (id) => routeUsing("language", "uses", { languageId: id })),
  // Used as the spam queue only: still in use.
  catalogue("queue", "Queue", (organizationId) => db.queue.findMany({ where: { organizationId }, orderBy: BY_NAME }), (id) => routeUsing("queue", "spam-only", { spamQueueId: id })),
];

beforeEach(async () => {
  await clearRouting(db);
  actAsNobody();
});

describe.each(CATALOGUES)("the $kind catalogue", ({ kind, create, update, remove, names, use }) => {
  it("refuses every change without a session, to a viewer, without permission and without a licence", async () => {
    for (const who of [null, "viewer@acme.example", "nopermission@acme.example", "admin@globex.example"]) {
      if (who) await actAs(who);
      else actAsNobody();
      const expected = who === null ? "unauthenticated" : who.includes("globex") ? "licence_required" : "permission_required";
      expect(await create({ name: "Intruder" }), String(who)).toMatchObject({ ok: false, code: expected });
    }
    expect(await names(acme.id)).toEqual([]);
    expect(await db.auditEntry.count()).toBe(0);
  });

  it("creates, renames and deletes, with an audit entry for each", async () => {
    await actAs("admin@acme.example");
    const created = await create({ name: "Billing" });
    if (!created.ok) throw new Error(created.error);
    const renamed = await update({ id: created.data.id, version: 1, name: "Billing & payments" });
    expect(renamed).toMatchObject({ ok: true, data: { version: 2, name: "Billing & payments" } });
    expect(await names(acme.id)).toEqual(["Billing & payments"]);
    expect(await remove({ id: created.data.id })).toMatchObject({ ok: true });
    expect(await names(acme.id)).toEqual([]);
    const entries = await db.auditEntry.findMany({ orderBy: { id: "asc" } });
    expect(entries.map((entry) => [entry.action, entry.entityLabel])).toEqual([
      [`${kind}.create`, "Billing"],
      [`${kind}.rename`, "Billing & payments"],
      [`${kind}.delete`, "Billing & payments"],
    ]);
    expect(entries[1]).toMatchObject({ before: { name: "Billing" }, after: { name: "Billing & payments" }, actorEmail: "admin@acme.example" });
  });

  it("refuses a name that differs only in case, on the name field", async () => {
    await actAs("admin@acme.example");
    await create({ name: "Returns" });
    expect(await create({ name: "RETURNS" })).toMatchObject({ ok: false, code: "conflict", fieldErrors: { name: [`Another ${kind} already has this name`] } });
    expect(await names(acme.id)).toEqual(["Returns"]);
    expect(await db.auditEntry.count()).toBe(1);
  });

  it("refuses a rename based on a stale version and returns the entry as it is now", async () => {
    await actAs("admin@acme.example");
    const created = await create({ name: "VIP" });
    if (!created.ok) throw new Error(created.error);
    await update({ id: created.data.id, version: 1, name: "Premium" });
    const stale = await update({ id: created.data.id, version: 1, name: "Gold" });
    expect(stale).toMatchObject({ ok: false, code: "stale", current: { entry: { name: "Premium", version: 2 }, conflicts: [] } });
    expect(await names(acme.id)).toEqual(["Premium"]);
  });

  it("refuses to delete an entry while a route uses it, listing that route", async () => {
    await actAs("admin@acme.example");
    const created = await create({ name: "In use" });
    if (!created.ok) throw new Error(created.error);
    const address = await use(created.data.id);
    const result = await remove({ id: created.data.id });
    expect(result).toMatchObject({ ok: false, code: "conflict" });
    if (!result.ok) expect(result.error).toContain(`while 1 route uses it: ${address}`);
    expect(await names(acme.id)).toContain("In use");
    expect(await catalogueUsageAction({ kind, id: created.data.id })).toMatchObject({ ok: true, data: { total: 1, addresses: [address] } });
    const listed = (await listCatalogue(db, acme.id, kind)).find((item) => item.id === created.data.id);
    expect(listed?.routeCount).toBe(1);
    expect(await db.auditEntry.count({ where: { action: `${kind}.delete` } })).toBe(0);
  });

  it("never renames, deletes or reveals usage of another organisation's entry", async () => {
    await actAs(INITECH_ADMIN);
    const theirs = await create({ name: "Initech only" });
    if (!theirs.ok) throw new Error(theirs.error);
    await actAs("admin@acme.example");
    expect(await update({ id: theirs.data.id, version: 1, name: "Hijacked" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await remove({ id: theirs.data.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await catalogueUsageAction({ kind, id: theirs.data.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await names(initech.id)).toEqual(["Initech only"]);
    expect(await names(acme.id)).toEqual([]);
  });
});

describe("queue usage counts", () => {
  it("counts routes using a queue as queue or as spam queue", async () => {
    const domain = await makeDomain(db, acme.id, "help.acme.test");
    const support = await makeQueue(db, acme.id, "Support");
    const spam = await makeQueue(db, acme.id, "Spam");
    await makeRoute(db, acme.id, domain, "a", support.id);
    const b = await makeRoute(db, acme.id, domain, "b", support.id);
    await db.route.update({ where: { id: b.id }, data: { spamQueueId: spam.id } });
    const counts = Object.fromEntries((await listCatalogue(db, acme.id, "queue")).map((item) => [item.name, item.routeCount]));
    expect(counts).toEqual({ Spam: 1, Support: 2 });
  });
});

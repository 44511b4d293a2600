import { beforeEach, describe, expect, it } from "vitest";

import { saveWebhookAction } from "@/app/(console)/notifications/actions";
import { createQueueAction, updateQueueAction } from "@/app/(console)/queues/actions";
import { createRouteAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { getDb } from "@/lib/db/client";
import { getRoute } from "@/lib/routes/queries";
import type { CreateRouteInput } from "@/lib/routes/schemas";

import { actAs, actAsNobody } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeRoutingWorld, seedRoutingOrganizations } from "../support/routing-fixtures";

/**
 * Two admins saving one record from the same version (docs/decisions/022-field-level-merge.md):
 * the server merges the fields only one of them changed, refuses only fields both changed, and
 * still checks who is calling before it merges anything.
 */
const db = getDb();
const { acme } = await seedRoutingOrganizations(db);

let world: Awaited<ReturnType<typeof makeRoutingWorld>>;

beforeEach(async () => {
  await clearRouting(db);
  await db.webhook.deleteMany();
  world = await makeRoutingWorld(db, acme.id);
  actAsNobody();
});

const values = (change: Partial<CreateRouteInput> = {}): CreateRouteInput => ({
  domainId: world.domain.id,
  pattern: "support",
  queueId: world.support.id,
  fromName: "Acme Support",
  priority: 5,
  ...change,
});

/** The base a form sends: the route's values as it opened them. */
const base = { domainId: "", pattern: "support", queueId: "", fromName: "Acme Support", priority: 5 };

async function createdRoute() {
  await actAs("admin@acme.example");
  const created = await createRouteAction(values());
  if (!created.ok) throw new Error(created.error);
  return created.data;
}

describe("routes: a save over a newer version", () => {
  it("keeps both admins' changes when they changed different fields, in one audited update each", async () => {
    const route = await createdRoute();
    const opened = { ...base, domainId: world.domain.id, queueId: world.support.id };
    expect(await updateRouteAction({ ...values({ priority: 9 }), id: route.id, version: 1, base: opened })).toMatchObject({ ok: true, data: { version: 2 } });
    // The second admin opened version 1 too and changed only the From name.
    const second = await updateRouteAction({ ...values({ fromName: "Help desk" }), id: route.id, version: 1, base: opened });
    expect(second).toMatchObject({ ok: true, data: { version: 3 } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ priority: 9, fromName: "Help desk", version: 3 });
    const audit = await db.auditEntry.findMany({ where: { action: "route.update" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.after)).toEqual([
      expect.objectContaining({ priority: 9, fromName: "Acme Support" }),
      expect.objectContaining({ priority: 9, fromName: "Help desk" }),
    ]);
  });

  it("refuses only when both changed the same field differently, naming it, and saves nothing", async () => {
    const route = await createdRoute();
    const opened = { ...base, domainId: world.domain.id, queueId: world.support.id };
    await updateRouteAction({ ...values({ fromName: "Theirs", priority: 9 }), id: route.id, version: 1, base: opened });
    const mine = await updateRouteAction({ ...values({ fromName: "Mine", queueId: world.spam.id }), id: route.id, version: 1, base: opened });
    expect(mine).toMatchObject({ ok: false, code: "stale", current: { conflicts: ["fromName"], route: { fromName: "Theirs", priority: 9, version: 2 } } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "Theirs", queueId: world.support.id, version: 2 });

    // The admin chose theirs for the From name: based on version 2, only the queue is their change.
    const chosen = await updateRouteAction({
      ...values({ fromName: "Theirs", priority: 9, queueId: world.spam.id }),
      id: route.id,
      version: 2,
      base: { ...opened, fromName: "Theirs", priority: 9 },
    });
    expect(chosen).toMatchObject({ ok: true, data: { version: 3 } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "Theirs", priority: 9, queueId: world.spam.id });
  });

  it("still refuses a save without a base as a whole (the Automation API's If-Match way)", async () => {
    const route = await createdRoute();
    await updateRouteAction({ ...values({ priority: 9 }), id: route.id, version: 1 });
    const stale = await updateRouteAction({ ...values({ fromName: "Mine" }), id: route.id, version: 1 });
    expect(stale).toMatchObject({ ok: false, code: "stale", current: { conflicts: [] } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "Acme Support", priority: 9 });
  });

  it("checks the caller before merging: a viewer or another organisation's admin changes nothing", async () => {
    const route = await createdRoute();
    const opened = { ...base, domainId: world.domain.id, queueId: world.support.id };
    await updateRouteAction({ ...values({ priority: 9 }), id: route.id, version: 1, base: opened });
    await actAs("viewer@acme.example");
    expect(await updateRouteAction({ ...values({ fromName: "Viewer" }), id: route.id, version: 1, base: opened })).toMatchObject({
      ok: false,
      code: "permission_required",
    });
    await actAs(INITECH_ADMIN);
    expect(await updateRouteAction({ ...values({ fromName: "Initech" }), id: route.id, version: 1, base: opened })).toMatchObject({ ok: false, code: "not_found" });
    actAsNobody();
    expect(await updateRouteAction({ ...values({ fromName: "Nobody" }), id: route.id, version: 1, base: opened })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ fromName: "Acme Support", priority: 9, version: 2 });
  });

  it("refuses a merge whose two halves break a rule together, naming the field", async () => {
    const route = await createdRoute();
    const other = await createRouteAction(values({ pattern: "billing" }));
    if (!other.ok) throw new Error(other.error);
    const opened = { ...base, domainId: world.domain.id, queueId: world.support.id };
    // They made replies come from another route; I added an auto-BCC, which that forbids.
    await updateRouteAction({ ...values({ replyRouteId: other.data.id }), id: route.id, version: 1, base: opened });
    const mine = await updateRouteAction({ ...values({ autoBcc: "copies@help.acme.test" }), id: route.id, version: 1, base: opened });
    expect(mine).toMatchObject({ ok: false, code: "validation", fieldErrors: { autoBcc: [expect.stringContaining("Auto-BCC")] } });
    expect(await getRoute(db, acme.id, route.id)).toMatchObject({ replyRouteId: other.data.id, autoBcc: [] });
  });
});

describe("catalogue entries and the webhook: a save over a newer version", () => {
  it("merges a queue's rename with another admin's new description, and names a conflicting rename", async () => {
    await actAs("admin@acme.example");
    const created = await createQueueAction({ name: "VIP", description: "" });
    if (!created.ok) throw new Error(created.error);
    const opened = { name: "VIP", description: "" };
    expect(await updateQueueAction({ id: created.data.id, version: 1, name: "VIP", description: "Top customers", base: opened })).toMatchObject({ ok: true });
    expect(await updateQueueAction({ id: created.data.id, version: 1, name: "Premium", description: "", base: opened })).toMatchObject({
      ok: true,
      data: { name: "Premium", version: 3 },
    });
    expect(await db.queue.findUniqueOrThrow({ where: { id: created.data.id } })).toMatchObject({ name: "Premium", description: "Top customers" });

    const conflict = await updateQueueAction({ id: created.data.id, version: 1, name: "Gold", description: "", base: opened });
    expect(conflict).toMatchObject({ ok: false, code: "stale", current: { conflicts: ["name"], entry: { name: "Premium", version: 3 } } });
    expect(await db.queue.findUniqueOrThrow({ where: { id: created.data.id } })).toMatchObject({ name: "Premium", version: 3 });
  });

  it("merges the webhook's URL changed by one admin with it being disabled by another, and names a conflicting URL", async () => {
    await actAs("admin@acme.example");
    const created = await saveWebhookAction({ url: "https://hooks.example.com/one", enabled: true });
    if (!created.ok) throw new Error(created.error);
    const opened = { url: "https://hooks.example.com/one", enabled: true };
    const version = created.data.webhook.version;
    expect(await saveWebhookAction({ url: "https://hooks.example.com/one", enabled: false, version, base: opened })).toMatchObject({ ok: true });
    expect(await saveWebhookAction({ url: "https://hooks.example.com/two", enabled: true, version, base: opened })).toMatchObject({ ok: true });
    expect(await db.webhook.findFirstOrThrow({ where: { organizationId: acme.id } })).toMatchObject({ url: "https://hooks.example.com/two", enabled: false });

    const conflict = await saveWebhookAction({ url: "https://hooks.example.com/three", enabled: true, version, base: opened });
    expect(conflict).toMatchObject({ ok: false, code: "stale", current: { conflicts: ["url"], webhook: { url: "https://hooks.example.com/two" } } });
    await actAs("viewer@acme.example");
    expect(await saveWebhookAction({ url: "https://hooks.example.com/four", enabled: true, version, base: opened })).toMatchObject({
      ok: false,
      code: "permission_required",
    });
    expect(await db.webhook.findFirstOrThrow({ where: { organizationId: acme.id } })).toMatchObject({ url: "https://hooks.example.com/two" });
  });
});

import { beforeEach, describe, expect, it } from "vitest";

import { addWizardAddressAction, discardSetupRunAction, saveWizardAction } from "@/app/(console)/setup/actions";
import { getDb } from "@/lib/db/client";
import { NEW_QUEUE } from "@/lib/setup/schemas";
import { listOpenRuns, readSetupPage } from "@/lib/setup/queries";

import { actAs, actAsNobody } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, makeRoutingWorld, seedRoutingOrganizations } from "../support/routing-fixtures";

/** The set-up wizard's runs (one per domain) and its Addresses step, through the server actions. */
const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

let world: Awaited<ReturnType<typeof makeRoutingWorld>>;

beforeEach(async () => {
  await clearRouting(db);
  world = await makeRoutingWorld(db, acme.id);
  actAsNobody();
});

describe("set-up runs", () => {
  it("starts a run when the admin leaves the first step, lists it until it is finished, then never reopens it", async () => {
    await actAs("admin@acme.example");
    const started = await saveWizardAction({ runId: null, step: "domain", scenario: "own_domain" });
    if (!started.ok) throw new Error(started.error);
    const { runId } = started.data;
    expect((await listOpenRuns(db, acme.id)).map((run) => [run.id, run.step, run.domainName])).toEqual([[runId, "domain", null]]);
    expect(await saveWizardAction({ runId, step: "addresses", domainId: world.domain.id })).toMatchObject({ ok: true, data: { runId } });
    expect((await listOpenRuns(db, acme.id))[0]).toMatchObject({ id: runId, step: "addresses", domainName: "help.acme.test" });

    expect(await saveWizardAction({ runId, step: "finish" })).toMatchObject({ ok: true });
    expect(await listOpenRuns(db, acme.id)).toEqual([]);
    // Its address opens a new set-up at the first step, saying that one is closed.
    const page = await readSetupPage({ organizationId: acme.id }, runId);
    expect(page).toMatchObject({ runGone: true, state: { runId: null, step: "scenario", domainId: null }, domain: null });
    expect(await saveWizardAction({ runId, step: "addresses" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await discardSetupRunAction({ runId })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("keeps one run per domain, and a run goes with its domain", async () => {
    await actAs("admin@acme.example");
    const first = await saveWizardAction({ runId: null, step: "addresses", scenario: "own_domain", domainId: world.domain.id });
    expect(first).toMatchObject({ ok: true });
    const second = await saveWizardAction({ runId: null, step: "addresses", scenario: "own_domain", domainId: world.domain.id });
    expect(second).toMatchObject({ ok: false, code: "conflict" });
    await db.domain.delete({ where: { id: world.domain.id } });
    expect(await db.setupRun.count()).toBe(0);
    if (!first.ok) return;
    expect(await readSetupPage({ organizationId: acme.id }, first.data.runId)).toMatchObject({ runGone: true, state: { step: "scenario" } });
  });

  it("shows and discards only the organisation's own runs", async () => {
    await actAs("admin@acme.example");
    const started = await saveWizardAction({ runId: null, step: "domain", scenario: "platform_domain" });
    if (!started.ok) throw new Error(started.error);
    await actAs(INITECH_ADMIN);
    expect(await listOpenRuns(db, initech.id)).toEqual([]);
    expect(await readSetupPage({ organizationId: initech.id }, started.data.runId)).toMatchObject({ runGone: true });
    expect(await discardSetupRunAction({ runId: started.data.runId })).toMatchObject({ ok: false, code: "not_found" });
    expect(await saveWizardAction({ runId: started.data.runId, step: "finish" })).toMatchObject({ ok: false, code: "not_found" });
    await actAs("admin@acme.example");
    expect(await discardSetupRunAction({ runId: started.data.runId })).toMatchObject({ ok: true });
    expect(await db.setupRun.count()).toBe(0);
  });
});

describe("the Addresses step", () => {
  const queueNames = async () => (await db.queue.findMany({ where: { organizationId: acme.id }, orderBy: { nameKey: "asc" } })).map((queue) => queue.name);

  it("reports an empty address and an empty new queue name together, creating nothing", async () => {
    await actAs("admin@acme.example");
    const result = await addWizardAddressAction({ domainId: world.domain.id, pattern: "", queueId: NEW_QUEUE, newQueueName: " ", fromName: "Acme" });
    expect(result).toMatchObject({ ok: false, code: "validation" });
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors ?? {}).sort()).toEqual(["newQueueName", "pattern"]);
    expect(await queueNames()).toEqual(["Spam", "Support"]);
  });

  it("creates no queue when the address is refused by the database (already routed)", async () => {
    await actAs("admin@acme.example");
    const first = await addWizardAddressAction({ domainId: world.domain.id, pattern: "sales", queueId: world.support.id, fromName: "Acme" });
    expect(first).toMatchObject({ ok: true, data: { address: "sales@help.acme.test", queueId: world.support.id } });
    const again = await addWizardAddressAction({ domainId: world.domain.id, pattern: "SALES", queueId: NEW_QUEUE, newQueueName: "Sales", fromName: "Acme" });
    expect(again).toMatchObject({ ok: false, code: "conflict", fieldErrors: { pattern: [expect.stringContaining("already has a route")] } });
    expect(await queueNames()).toEqual(["Spam", "Support"]);
    expect((await db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((entry) => entry.action)).toEqual(["route.create"]);
  });

  it("creates the new queue and its route together, each audited; a taken queue name is an error on that field", async () => {
    await actAs("admin@acme.example");
    const created = await addWizardAddressAction({ domainId: world.domain.id, pattern: "billing", queueId: NEW_QUEUE, newQueueName: "Billing", fromName: "Acme" });
    expect(created).toMatchObject({ ok: true, data: { address: "billing@help.acme.test" } });
    expect(await queueNames()).toEqual(["Billing", "Spam", "Support"]);
    expect((await db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((entry) => entry.action)).toEqual(["queue.create", "route.create"]);
    const taken = await addWizardAddressAction({ domainId: world.domain.id, pattern: "refunds", queueId: NEW_QUEUE, newQueueName: "support", fromName: "Acme" });
    expect(taken).toMatchObject({ ok: false, code: "conflict", fieldErrors: { newQueueName: ["Another queue already has this name"] } });
    expect(await db.route.count({ where: { patternKey: "refunds" } })).toBe(0);
  });

  it("is refused to a viewer and to another organisation's admin, who cannot use Acme's domain", async () => {
    await actAs("viewer@acme.example");
    expect(await addWizardAddressAction({ domainId: world.domain.id, pattern: "x", queueId: NEW_QUEUE, newQueueName: "X", fromName: "A" })).toMatchObject({
      ok: false,
      code: "permission_required",
    });
    await actAs(INITECH_ADMIN);
    const foreign = await addWizardAddressAction({ domainId: world.domain.id, pattern: "x", queueId: NEW_QUEUE, newQueueName: "X", fromName: "A" });
    expect(foreign).toMatchObject({ ok: false, code: "validation", fieldErrors: { domainId: [expect.any(String)] } });
    expect(await db.queue.count({ where: { name: "X" } })).toBe(0);
    await makeDomain(db, initech.id, "help.initech.test");
  });
});

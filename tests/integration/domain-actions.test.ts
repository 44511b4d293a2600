import { beforeEach, describe, expect, it } from "vitest";

import { checkDomainAvailabilityAction, checkDomainNowAction, deleteDomainAction, refreshDomainAction, registerDomainAction, restartVerificationAction } from "@/app/(console)/domains/actions";
import { discardSetupRunAction, saveWizardAction } from "@/app/(console)/setup/actions";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";

import { UNANSWERED_DNS_ENV } from "../support/dns-publish";
import { actAs, actAsNobody } from "../support/request-context";

Object.assign(process.env, UNANSWERED_DNS_ENV);

const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const globex = await db.organization.findUniqueOrThrow({ where: { slug: "globex" } });

async function registerAs(email: string, domain: string) {
  await actAs(email);
  const result = await registerDomainAction({ kind: "custom", scenario: "own_domain", domain, fromWizard: false });
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

beforeEach(async () => {
  await db.route.deleteMany();
  await db.domain.deleteMany();
  await db.auditEntry.deleteMany();
  await db.setupRun.deleteMany();
  actAsNobody();
});

describe("registering a domain", () => {
  it("is refused without a session, for a viewer and for an unlicensed organisation, registering nothing", async () => {
    const input = { kind: "custom", scenario: "own_domain", domain: "help.acme.test", fromWizard: true } as const;
    expect(await registerDomainAction(input)).toMatchObject({ ok: false, code: "unauthenticated" });
    await actAs("viewer@acme.example");
    expect(await registerDomainAction(input)).toMatchObject({ ok: false, code: "permission_required" });
    await actAs("admin@globex.example");
    expect(await registerDomainAction(input)).toMatchObject({ ok: false, code: "licence_required" });
    expect(await db.domain.count()).toBe(0);
  });

  it("registers for the admin's own organisation, records it in the audit log, and moves the wizard on", async () => {
    const actor = await actAs("admin@acme.example");
    const result = await registerDomainAction({ kind: "custom", scenario: "own_domain_with_copies", domain: "help.acme.test", fromWizard: true });
    expect(result).toMatchObject({ ok: true, data: { name: "help.acme.test", status: "pending", scenario: "own_domain_with_copies" } });
    if (!result.ok) return;
    expect(result.data.records.map((record) => record.relativeName)).toEqual(["_email-routing.help", "help", "help", "help", "erc1._domainkey.help", "_dmarc.help"]);
    expect(JSON.stringify(result.data)).not.toMatch(/PRIVATE KEY|dkimPrivateKeySealed/);
    expect(await db.domain.findFirst({ where: { name: "help.acme.test" } })).toMatchObject({ organizationId: acme.id });
    expect(await db.auditEntry.findMany({ select: { action: true, entityLabel: true, actorEmail: true } })).toEqual([
      { action: "domain.register", entityLabel: "help.acme.test", actorEmail: "admin@acme.example" },
    ]);
    expect(await db.setupRun.findMany()).toEqual([expect.objectContaining({ step: "dns", domainId: result.data.id, startedById: actor.userId, finishedAt: null })]);
  });

  it("puts each problem on its field", async () => {
    await actAs("admin@acme.example");
    const invalid = await registerDomainAction({ kind: "custom", scenario: "own_domain", domain: "https://help.acme.test/", fromWizard: false });
    expect(invalid).toMatchObject({ ok: false, code: "validation", fieldErrors: { domain: ["Enter only the domain, without http:// or a path"] } });
    const platform = await registerDomainAction({ kind: "custom", scenario: "own_domain", domain: "x.routing.platform.test", fromWizard: false });
    expect(platform).toMatchObject({ ok: false, fieldErrors: { domain: [expect.stringContaining("platform's own domain")] } });
    const label = await registerDomainAction({ kind: "platform", scenario: "platform_domain", label: "-acme", fromWizard: false });
    expect(label).toMatchObject({ ok: false, fieldErrors: { label: ["Cannot start or end with a hyphen"] } });
    expect(await db.domain.count()).toBe(0);
  });

  it("says a domain held by another organisation is taken without naming it", async () => {
    await registerAs("admin@acme.example", "shared.acme.test");
    await db.domain.updateMany({ data: { organizationId: globex.id } });
    await actAs("admin@acme.example");
    const availability = await checkDomainAvailabilityAction({ domain: "shared.acme.test" });
    expect(availability).toMatchObject({ ok: true, data: { available: false, reason: expect.stringContaining("another organisation") } });
    expect(JSON.stringify(availability)).not.toContain("Globex");
  });
});

describe("checking, deleting and restarting", () => {
  it("keeps other organisations' domains out of reach", async () => {
    const foreign = await registerAs("admin@acme.example", "theirs.acme.test");
    await db.domain.update({ where: { id: foreign.id }, data: { organizationId: globex.id } });
    await actAs("admin@acme.example");
    expect(await checkDomainNowAction({ domainId: foreign.id, trigger: "manual" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await refreshDomainAction({ domainId: foreign.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await deleteDomainAction({ domainId: foreign.id, confirmation: "theirs.acme.test", deleteRoutes: true })).toMatchObject({ ok: false, code: "not_found" });
    expect(await restartVerificationAction({ domainId: foreign.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await db.domain.count({ where: { id: foreign.id } })).toBe(1);
  });

  it("lets a viewer watch a domain but not trigger a check", async () => {
    const domain = await registerAs("admin@acme.example", "watch.acme.test");
    await actAs("viewer@acme.example");
    expect(await checkDomainNowAction({ domainId: domain.id, trigger: "manual" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await refreshDomainAction({ domainId: domain.id })).toMatchObject({ ok: true, data: { id: domain.id } });
  });

  it("reports a check that DNS errors prevented as a temporary failure, not as missing records", async () => {
    const domain = await registerAs("admin@acme.example", "flaky.acme.test");
    const result = await checkDomainNowAction({ domainId: domain.id, trigger: "manual" });
    expect(result).toMatchObject({ ok: true, data: { status: "pending", groups: { ownership: "temporary_failure", inbound: "temporary_failure" } } });
    expect((await db.domain.findUniqueOrThrow({ where: { id: domain.id } })).lastCheckedAt).toBeInstanceOf(Date);
  });

  it("refuses a delete until the name is typed and the routes are let go, then records what was removed", async () => {
    const domain = await registerAs("admin@acme.example", "old.acme.test");
    const queue = await db.queue.create({ data: { organizationId: acme.id, name: "Support", nameKey: "support" } });
    await db.route.create({
      data: { organizationId: acme.id, domainId: domain.id, pattern: "help", patternKey: "help", address: "help@old.acme.test", queueId: queue.id, fromName: "Acme" },
    });
    expect(await deleteDomainAction({ domainId: domain.id, confirmation: "old.acme", deleteRoutes: false })).toMatchObject({
      ok: false,
      fieldErrors: { confirmation: ["Type old.acme.test exactly to confirm"] },
    });
    expect(await deleteDomainAction({ domainId: domain.id, confirmation: "old.acme.test", deleteRoutes: false })).toMatchObject({
      ok: false,
      fieldErrors: { deleteRoutes: ["old.acme.test has 1 route. Delete them too, or move them first."] },
    });
    expect(await db.domain.count({ where: { id: domain.id } })).toBe(1);
    expect(await deleteDomainAction({ domainId: domain.id, confirmation: "OLD.acme.test", deleteRoutes: true })).toMatchObject({
      ok: true,
      data: { routesDeleted: 1 },
    });
    expect(await db.route.count()).toBe(0);
    expect(await db.auditEntry.findFirst({ where: { action: "domain.delete" } })).toMatchObject({
      entityLabel: "old.acme.test",
      before: expect.objectContaining({ name: "old.acme.test", routes: 1 }),
    });
  });

  it("restarts a verification that gave up", async () => {
    const domain = await registerAs("admin@acme.example", "late.acme.test");
    expect(await restartVerificationAction({ domainId: domain.id })).toMatchObject({ ok: false, code: "validation" });
    await db.domain.update({ where: { id: domain.id }, data: { status: "failed" } });
    expect(await restartVerificationAction({ domainId: domain.id })).toMatchObject({ ok: true, data: { status: "pending" } });
  });
});

describe("wizard progress", () => {
  it("saves a run of the signed-in admin's organisation only, refuses another organisation's domain, and discards", async () => {
    const foreign = await registerAs("admin@acme.example", "notmine.acme.test");
    await db.domain.update({ where: { id: foreign.id }, data: { organizationId: globex.id } });
    await db.setupRun.deleteMany();
    await actAs("admin@acme.example");
    expect(await saveWizardAction({ step: "dns", scenario: "own_domain", domainId: foreign.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await saveWizardAction({ step: "teleport" as never })).toMatchObject({ ok: false, code: "validation" });
    const saved = await saveWizardAction({ step: "domain", scenario: "platform_domain" });
    expect(saved).toMatchObject({ ok: true });
    if (!saved.ok) return;
    expect(await db.setupRun.findUniqueOrThrow({ where: { id: saved.data.runId } })).toMatchObject({ step: "domain", scenario: "platform_domain", domainId: null });
    await actAs("viewer@acme.example");
    expect(await saveWizardAction({ runId: saved.data.runId, step: "finish" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await discardSetupRunAction({ runId: saved.data.runId })).toMatchObject({ ok: false, code: "permission_required" });
    await actAs("admin@acme.example");
    expect(await discardSetupRunAction({ runId: saved.data.runId })).toMatchObject({ ok: true });
    expect(await db.setupRun.count()).toBe(0);
  });
});

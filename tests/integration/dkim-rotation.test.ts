import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { checkDomainNowAction, registerDomainAction } from "@/app/(console)/domains/actions";
import { discardDkimKeyAction, dkimPanelAction, rotateDkimKeyAction, switchDkimKeyAction } from "@/app/(console)/domains/dkim-actions";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { AUTOMATIC_ACTOR_LABEL } from "@/lib/audit/audit";
import { open } from "@/lib/crypto/sealed-box";
import { getDb } from "@/lib/db/client";
import { expectedFromStored } from "@/lib/domains/expected-records";
import type { DomainView } from "@/lib/domains/types";
import { verifyAndRecord } from "@/lib/domains/verification";
import { verificationOptions } from "@/lib/jobs/domain-checks";

import { asPublished, PLATFORM_TEST_ZONE, platformDnsEnv } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { actAs, actAsNobody } from "../support/request-context";

/**
 * Key rotation end to end, through the server actions an admin's clicks call, against real DNS on
 * loopback: a new key waits for its record, the switch needs it verified and self-tested, the old
 * key stays published for the retiring period and is then retired by a check.
 */

const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });
afterAll(() => world.close());
Object.assign(process.env, platformDnsEnv(world, { DNS_DEADLINE_MS: "8000", DKIM_RETIRING_PERIOD: "7d" }));

const db = getDb();
await seedDemoData(db);
const globex = await db.organization.findUniqueOrThrow({ where: { slug: "globex" } });
const DAY = 86_400_000;

const responses: unknown[] = [];
function ok<T>(result: { ok: true; data: T } | { ok: false; error: string }): T {
  responses.push(result);
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

async function registerAndPublish(name: string): Promise<DomainView> {
  await actAs("admin@acme.example");
  const domain = ok(await registerDomainAction({ kind: "custom", scenario: "own_domain", domain: name, fromWizard: false }));
  const records = (await db.domainRecord.findMany({ where: { domainId: domain.id }, orderBy: { position: "asc" } })).map(expectedFromStored);
  world.publish(...asPublished(records.filter((record) => record.kind !== "dmarc")));
  const checked = ok(await checkDomainNowAction({ domainId: domain.id, trigger: "manual" }));
  expect(checked.groups.sending).toBe("verified");
  return checked;
}

const month = (date: Date) => `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, "0")}`;

beforeEach(() => actAsNobody());

describe("rotating a domain's DKIM key", () => {
  it("goes new key → published → verified and self-tested → switch → old key retiring → retired after the period", async () => {
    const domain = await registerAndPublish("rotate.acme.test");
    const admin = await actAs("admin@acme.example");

    // 1. A new key, waiting for its record; the signing key and "Sending ready" are untouched.
    const rotated = ok(await rotateDkimKeyAction({ domainId: domain.id }));
    const pending = rotated.panel.pending!;
    expect(pending).toMatchObject({ selector: `erc1-${month(new Date())}`, state: "pending", recordName: `erc1-${month(new Date())}._domainkey.rotate.acme.test` });
    expect(pending.recordValue).toMatch(/^v=DKIM1; k=rsa; p=MII/);
    expect(rotated.panel).toMatchObject({ active: { selector: "erc1" }, canSwitch: false, retiringPeriodDays: 7 });
    const dkimRows = rotated.domain.records.filter((record) => record.kind === "dkim");
    expect(dkimRows.map((record) => [record.dkim?.selector, record.dkim?.state, record.required])).toEqual([
      ["erc1", "active", true],
      [pending.selector, "pending", false],
    ]);
    expect(rotated.domain.records.map((record) => record.kind)).toEqual(["ownership", "mx", "mx", "spf", "dkim", "dkim", "dmarc"]);
    expect(rotated.domain.groups.sending).toBe("verified");

    // 2. Not before its record is published and verified.
    expect(await switchDkimKeyAction({ domainId: domain.id, keyId: pending.id })).toMatchObject({ ok: false, code: "validation", error: expect.stringContaining("Publish the record") });
    const notYet = ok(await checkDomainNowAction({ domainId: domain.id, trigger: "manual" }));
    expect(notYet.records.find((record) => record.dkim?.state === "pending")).toMatchObject({ verdict: "failed", dkim: { selfTest: { code: "no_key" } } });
    expect(notYet.groups.sending).toBe("verified");

    // 3. The admin publishes it; the next check verifies it and its self-test passes.
    world.publish({ name: pending.recordName, type: "TXT", data: pending.recordValue });
    const published = ok(await checkDomainNowAction({ domainId: domain.id, trigger: "manual" }));
    expect(published.records.find((record) => record.dkim?.state === "pending")).toMatchObject({ verdict: "verified", dkim: { selfTest: { outcome: "pass" } } });
    const ready = ok(await dkimPanelAction({ domainId: domain.id }));
    expect(ready).toMatchObject({ canSwitch: true, pending: { recordVerdict: "verified", selfTest: { outcome: "pass" } } });

    // 4. The switch: the new key signs, the old one stays published for the retiring period.
    const before = Date.now();
    const switched = ok(await switchDkimKeyAction({ domainId: domain.id, keyId: pending.id }));
    expect(switched.panel).toMatchObject({ active: { selector: pending.selector, state: "active" }, pending: null, retiring: [{ selector: "erc1", state: "retiring" }] });
    const retireAfter = Date.parse(switched.panel.retiring[0]!.retireAfter!);
    expect(retireAfter).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(retireAfter).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    expect(switched.domain.records.filter((record) => record.kind === "dkim").map((record) => [record.dkim?.selector, record.dkim?.state, record.required])).toEqual([
      [pending.selector, "active", true],
      ["erc1", "retiring", false],
    ]);
    expect(switched.domain.groups.sending).toBe("verified");
    expect(await switchDkimKeyAction({ domainId: domain.id, keyId: pending.id })).toMatchObject({ ok: false, code: "conflict" });

    // 5. Checks during the period keep the old record; the first check after it retires the key.
    const options = await verificationOptions();
    await verifyAndRecord(db, admin.organizationId, domain.id, "scheduled", { ...options, now: () => new Date(Date.now() + 6 * DAY) });
    expect(await db.dkimKey.findFirst({ where: { domainId: domain.id, selector: "erc1" } })).toMatchObject({ state: "retiring", retiredAt: null });
    await verifyAndRecord(db, admin.organizationId, domain.id, "scheduled", { ...options, now: () => new Date(Date.now() + 7 * DAY + 60_000) });
    const old = await db.dkimKey.findFirstOrThrow({ where: { domainId: domain.id, selector: "erc1" } });
    // The check that retired it had self-tested it (its record was still there): nothing of that is kept on the retired key.
    expect(old).toMatchObject({ state: "retired", privateKeySealed: null, selfTestMessage: null, selfTestSignedAt: null });
    expect(old.retiredAt).toBeInstanceOf(Date);
    expect(await db.domainRecord.count({ where: { dkimKeyId: old.id } })).toBe(0);
    const panel = ok(await dkimPanelAction({ domainId: domain.id }));
    expect(panel).toMatchObject({ active: { selector: pending.selector }, retiring: [], retired: [{ selector: "erc1", recordName: "erc1._domainkey.rotate.acme.test" }] });
    expect(await db.notification.findFirst({ where: { domainId: domain.id, kind: "domain.dkim_key_retired" } })).toMatchObject({
      title: "The old DKIM record of rotate.acme.test can be removed",
      body: expect.stringContaining("delete the TXT record erc1._domainkey.rotate.acme.test"),
    });

    // Every step is in the audit log, the retirement as the console's own.
    const audit = await db.auditEntry.findMany({ where: { entityId: domain.id, action: { startsWith: "domain.dkim" } }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.action, entry.actorEmail])).toEqual([
      ["domain.dkim_rotate", "admin@acme.example"],
      ["domain.dkim_switch", "admin@acme.example"],
      ["domain.dkim_retire", AUTOMATIC_ACTOR_LABEL],
    ]);
    expect(audit[1]).toMatchObject({ before: { active: "erc1", pending: pending.selector }, after: { active: pending.selector, retiring: "erc1" } });

    // A second rotation the same month gets a selector of its own.
    const again = ok(await rotateDkimKeyAction({ domainId: domain.id }));
    expect(again.panel.pending!.selector).toBe(`erc1-${month(new Date())}-2`);
  });

  it("lets two admins rotating at once make one new key", async () => {
    const domain = await registerAndPublish("race.acme.test");
    await actAs("admin@acme.example");
    const results = await Promise.all([rotateDkimKeyAction({ domainId: domain.id }), rotateDkimKeyAction({ domainId: domain.id })]);
    responses.push(...results);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ ok: false, code: "conflict", error: expect.stringMatching(/already waiting/) });
    expect(await db.dkimKey.count({ where: { domainId: domain.id, state: "pending" } })).toBe(1);
    expect(await db.domainRecord.count({ where: { domainId: domain.id, kind: "dkim" } })).toBe(2);
    expect(await db.auditEntry.count({ where: { entityId: domain.id, action: "domain.dkim_rotate" } })).toBe(1);
  });

  it("discards a new key that was never switched to, with its record", async () => {
    const domain = await registerAndPublish("discard.acme.test");
    await actAs("admin@acme.example");
    const { panel } = ok(await rotateDkimKeyAction({ domainId: domain.id }));
    const discarded = ok(await discardDkimKeyAction({ domainId: domain.id, keyId: panel.pending!.id }));
    expect(discarded.panel).toMatchObject({ pending: null, active: { selector: "erc1" } });
    expect(discarded.domain.records.filter((record) => record.kind === "dkim")).toHaveLength(1);
    expect(await db.auditEntry.findFirst({ where: { entityId: domain.id, action: "domain.dkim_discard" } })).toMatchObject({ before: { selector: panel.pending!.selector } });
    // The signing key cannot be discarded.
    expect(await discardDkimKeyAction({ domainId: domain.id, keyId: panel.active!.id })).toMatchObject({ ok: false, code: "conflict" });
  });

  it("refuses viewers and other organisations, changing nothing", async () => {
    const domain = await registerAndPublish("guarded-rotation.acme.test");
    await actAs("admin@acme.example");
    const { panel } = ok(await rotateDkimKeyAction({ domainId: domain.id }));
    const keyId = panel.pending!.id;
    const keysBefore = await db.dkimKey.findMany({ where: { domainId: domain.id }, orderBy: { id: "asc" } });

    await actAs("viewer@acme.example");
    for (const result of [
      await rotateDkimKeyAction({ domainId: domain.id }),
      await switchDkimKeyAction({ domainId: domain.id, keyId }),
      await discardDkimKeyAction({ domainId: domain.id, keyId }),
    ]) {
      expect(result).toMatchObject({ ok: false, code: "permission_required" });
    }
    // The viewer still sees the rotation's state.
    expect(await dkimPanelAction({ domainId: domain.id })).toMatchObject({ ok: true, data: { pending: { id: keyId } } });

    await db.domain.update({ where: { id: domain.id }, data: { organizationId: globex.id } });
    await actAs("admin@acme.example");
    for (const result of [
      await rotateDkimKeyAction({ domainId: domain.id }),
      await switchDkimKeyAction({ domainId: domain.id, keyId }),
      await discardDkimKeyAction({ domainId: domain.id, keyId }),
      await dkimPanelAction({ domainId: domain.id }),
    ]) {
      expect(result).toMatchObject({ ok: false, code: "not_found" });
    }
    expect(await db.dkimKey.findMany({ where: { domainId: domain.id }, orderBy: { id: "asc" } })).toEqual(keysBefore);
  });

  it("never puts a private key in what the actions return", async () => {
    const keys = await db.dkimKey.findMany({ where: { privateKeySealed: { not: null } }, select: { privateKeySealed: true } });
    expect(keys.length).toBeGreaterThan(3);
    const payload = JSON.stringify(responses);
    expect(payload).not.toMatch(/PRIVATE KEY|privateKey/);
    for (const key of keys) {
      const base64 = open(key.privateKeySealed!, process.env.SECRETS_KEY!).replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
      expect(payload).not.toContain(base64.slice(0, 64));
      expect(payload).not.toContain(base64.slice(-64));
      expect(payload).not.toContain(key.privateKeySealed!);
    }
  });
});

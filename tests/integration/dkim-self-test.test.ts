import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { checkDomainNowAction, registerDomainAction } from "@/app/(console)/domains/actions";
import { dkimPanelAction, runDkimSelfTestAction } from "@/app/(console)/domains/dkim-actions";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { open } from "@/lib/crypto/sealed-box";
import { getDb } from "@/lib/db/client";
import { generateDkimKey } from "@/lib/domains/dkim/keys";
import { expectedFromStored } from "@/lib/domains/expected-records";
import type { DomainView } from "@/lib/domains/types";

import { asPublished, PLATFORM_TEST_ZONE, platformDnsEnv } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { actAs, actAsNobody } from "../support/request-context";

/**
 * The DKIM self-test against real DNS on loopback: the console signs with the domain's stored key
 * and mailauth verifies against what the configured resolver returns, as a receiver would.
 */

const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });
afterAll(() => world.close());
Object.assign(process.env, platformDnsEnv(world, { DNS_DEADLINE_MS: "4000" }));

const db = getDb();
await seedDemoData(db);
const globex = await db.organization.findUniqueOrThrow({ where: { slug: "globex" } });

/** Everything an action returned in this file: none of it may carry a private key. */
const responses: unknown[] = [];
function remember<T>(result: T): T {
  responses.push(result);
  return result;
}

async function register(name: string): Promise<DomainView> {
  await actAs("admin@acme.example");
  const result = remember(await registerDomainAction({ kind: "custom", scenario: "own_domain", domain: name, fromWizard: false }));
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

/** Publishes what the admin was asked to, except the DKIM record, which `dkim` replaces (or leaves out). */
async function publish(domain: DomainView, dkim?: string | string[]) {
  const stored = await db.domainRecord.findMany({ where: { domainId: domain.id }, orderBy: { position: "asc" } });
  const records = stored.map(expectedFromStored);
  world.publish(...asPublished(records.filter((record) => record.kind !== "dkim" && record.kind !== "dmarc")));
  const name = records.find((record) => record.kind === "dkim")!.name;
  for (const value of dkim === undefined ? [] : Array.isArray(dkim) ? dkim : [dkim]) world.publish({ name, type: "TXT", data: value });
  return { dkimName: name, dkimValue: records.find((record) => record.kind === "dkim")!.value };
}

async function selfTest(domainId: string) {
  const result = remember(await runDkimSelfTestAction({ domainId }));
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

async function checkNow(domainId: string) {
  const result = remember(await checkDomainNowAction({ domainId, trigger: "manual" }));
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

const dkimRecord = (view: DomainView) => view.records.find((record) => record.kind === "dkim" && record.dkim?.state === "active")!;
const expectedValue = (view: DomainView) => dkimRecord(view).value;

beforeEach(() => actAsNobody());

describe("the DKIM self-test", () => {
  it("passes when the domain publishes its key, and then the domain is ready to send", async () => {
    const domain = await register("right.acme.test");
    await publish(domain, expectedValue(domain));
    const { panel } = await selfTest(domain.id);
    expect(panel.active).toMatchObject({ selector: "erc1", state: "active", selfTest: { outcome: "pass", code: "pass", detail: null } });
    expect(panel.active!.selfTest!.message).toContain("erc1._domainkey.right.acme.test");
    expect(Date.now() - Date.parse(panel.active!.selfTest!.testedAt)).toBeLessThan(60_000);

    const checked = await checkNow(domain.id);
    expect(checked.groups).toEqual({ ownership: "verified", inbound: "verified", sending: "verified" });
    expect(dkimRecord(checked)).toMatchObject({ verdict: "verified", dkim: { dnsVerdict: "verified", selfTest: { outcome: "pass" } } });
    expect(await db.domainCheck.findFirst({ where: { domainId: domain.id }, orderBy: { startedAt: "desc" } })).toMatchObject({ sending: "verified" });
  });

  it("fails with a clear reason when another key is published at the selector", async () => {
    const domain = await register("other-key.acme.test");
    const other = await generateDkimKey(Buffer.alloc(32, 5).toString("base64"));
    await publish(domain, `v=DKIM1; k=rsa; p=${other.publicKey}`);
    const { panel, domain: view } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "fail", code: "key_mismatch", detail: "bad signature" });
    expect(panel.active!.selfTest!.message).toBe(
      "The key published at erc1._domainkey.other-key.acme.test does not match the key we sign with, so receivers would reject mail we sign. Replace the record's value with the one shown.",
    );
    // The self-test looked at the record afresh: it is failed at once, with what was found.
    expect(dkimRecord(view)).toMatchObject({ verdict: "failed", found: [`v=DKIM1; k=rsa; p=${other.publicKey}`] });
    expect(view.groups.sending).toBe("failed");
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({ verdict: "failed", dkim: { selfTest: { code: "key_mismatch" } } });
    expect(checked.groups.sending).toBe("failed");
  });

  it("fails with a clear reason when no key is published", async () => {
    const domain = await register("none.acme.test");
    await publish(domain);
    const { panel } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "fail", code: "no_key", detail: "no key" });
    expect(panel.active!.selfTest!.message).toMatch(/No DKIM key is published at erc1\._domainkey\.none\.acme\.test/);
  });

  it("fails with a clear reason when the key is revoked (an empty p=)", async () => {
    const domain = await register("revoked.acme.test");
    await publish(domain, "v=DKIM1; k=rsa; p=");
    const { panel } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "fail", code: "key_revoked" });
    expect(panel.active!.selfTest!.message).toMatch(/revokes the key/);
    // The record's card says the same, once: not also that the key differs.
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked).diagnoses).toEqual([expect.objectContaining({ code: "value_mismatch", message: expect.stringMatching(/empty p= tag, which revokes the key/) })]);
  });

  it("reports DNS that does not answer as a temporary failure, not as the admin's mistake", async () => {
    const domain = await register("slow.acme.test");
    const { dkimName } = await publish(domain, expectedValue(domain));
    // The resolver receivers would ask drops every query for the key; the domain's own nameservers answer.
    world.resolver.addRule({ name: dkimName, type: "TXT", action: { kind: "drop" } });
    const { panel } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "temporary_failure", code: "dns_error" });
    expect(panel.active!.selfTest!.detail).toMatch(/ETIMEOUT|no answer within/);
    expect(panel.active!.selfTest!.message).toMatch(/says nothing about your record/);

    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({ verdict: "temporary_failure", dkim: { dnsVerdict: "verified", selfTest: { outcome: "temporary_failure" } } });
    expect(checked.groups.sending).toBe("temporary_failure");
  });

  it("keeps 'Sending ready' back while the record declares another key type, and grants it once fixed", async () => {
    const domain = await register("looks-right.acme.test");
    // The same p= as expected, but declared an Ed25519 key: receivers reject it, and the record check and the self-test both say so.
    const { dkimName, dkimValue } = await publish(domain, expectedValue(domain).replace("k=rsa", "k=ed25519"));
    const checked = await checkNow(domain.id);
    expect(checked.status).toBe("verified");
    expect(dkimRecord(checked)).toMatchObject({ verdict: "failed", dkim: { dnsVerdict: "failed", selfTest: { outcome: "fail", code: "key_invalid" } } });
    expect(dkimRecord(checked).diagnoses.map((d) => d.code)).toEqual(["dkim_key_tag"]);
    expect(checked.groups.sending).toBe("failed");
    expect(await db.domainCheck.findFirst({ where: { domainId: domain.id }, orderBy: { startedAt: "desc" } })).toMatchObject({ sending: "failed" });

    world.unpublish(dkimName, "TXT");
    world.publish({ name: dkimName, type: "TXT", data: dkimValue });
    const fixed = await checkNow(domain.id);
    expect(dkimRecord(fixed)).toMatchObject({ verdict: "verified", dkim: { selfTest: { outcome: "pass" } } });
    expect(fixed.groups.sending).toBe("verified");
  });

  it("does not claim receivers accept our signatures when the record's tags make them ignore the key, though mailauth verifies it", async () => {
    const domain = await register("hash-sha1.acme.test");
    const { dkimName, dkimValue } = await publish(domain, expectedValue(domain).replace("k=rsa", "h=sha1; k=rsa"));
    const { panel, domain: tested } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "fail", code: "key_ignored", detail: "h=sha1" });
    expect(panel.active!.selfTest!.message).toMatch(/but receivers will not accept our signatures because of what the record's check found \(h=sha1\)/);
    expect(panel.active!.selfTest!.message).not.toMatch(/receivers will accept/);
    expect(dkimRecord(tested)).toMatchObject({ verdict: "failed", diagnoses: [expect.objectContaining({ code: "dkim_key_tag", severity: "error" })] });
    expect(tested.groups.sending).toBe("failed");

    // The same in a full check, for testing mode.
    world.unpublish(dkimName, "TXT");
    world.publish({ name: dkimName, type: "TXT", data: dkimValue.replace("k=rsa", "k=rsa; t=y") });
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({ verdict: "failed", dkim: { dnsVerdict: "failed", selfTest: { outcome: "fail", code: "key_ignored", detail: "t=y" } } });
    expect(checked.groups.sending).toBe("failed");
  });

  it("fails, in the record check and the self-test alike, when another key record is published at the selector next to ours", async () => {
    const domain = await register("two-keys.acme.test");
    const other = await generateDkimKey(Buffer.alloc(32, 7).toString("base64"));
    await publish(domain, [expectedValue(domain), `v=DKIM1; k=rsa; p=${other.publicKey}`]);
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({ verdict: "failed", dkim: { dnsVerdict: "failed", selfTest: { outcome: "fail" } } });
    expect(dkimRecord(checked).diagnoses.map((d) => d.code)).toEqual(["dkim_multiple_keys"]);
    expect(dkimRecord(checked).dkim!.selfTest!.message).not.toMatch(/receivers will accept/);
    expect(checked.groups.sending).toBe("failed");
  });

  it("withdraws 'Sending ready' at once, shown and stored, when the published key is replaced by another or truncated", async () => {
    const domain = await register("swapped.acme.test");
    const { dkimName, dkimValue } = await publish(domain, expectedValue(domain));
    const ready = await checkNow(domain.id);
    expect(ready.groups.sending).toBe("verified");

    const other = await generateDkimKey(Buffer.alloc(32, 6).toString("base64"));
    const truncated = dkimValue.slice(0, -40);
    for (const [published, code] of [
      [`v=DKIM1; k=rsa; p=${other.publicKey}`, "key_mismatch"],
      [truncated, "key_invalid"],
    ] as const) {
      world.unpublish(dkimName, "TXT");
      world.publish({ name: dkimName, type: "TXT", data: published });

      // "Run self-test" alone: the panel says why, and the domain is no longer ready to send.
      const { panel, domain: tested } = await selfTest(domain.id);
      expect(panel.active!.selfTest).toMatchObject({ outcome: "fail", code });
      expect(panel.active!.selfTest!.message).toContain("erc1._domainkey.swapped.acme.test");
      expect(panel.active!.recordVerdict).toBe("failed");
      expect(dkimRecord(tested)).toMatchObject({ verdict: "failed", found: [published] });
      expect(tested.groups.sending).toBe("failed");
      // What the domains list reads is the stored verdict.
      expect(await db.domainRecord.findFirst({ where: { domainId: domain.id, kind: "dkim" }, select: { verdict: true } })).toEqual({ verdict: "failed" });

      // A full check agrees, and its stored run says sending failed.
      const checked = await checkNow(domain.id);
      expect(dkimRecord(checked)).toMatchObject({ verdict: "failed", dkim: { selfTest: { outcome: "fail", code } } });
      expect(checked.groups.sending).toBe("failed");
      expect(await db.domainCheck.findFirst({ where: { domainId: domain.id }, orderBy: { startedAt: "desc" } })).toMatchObject({ sending: "failed" });
    }

    // The right key again: the self-test alone gives readiness back, since it looked at the record too.
    world.unpublish(dkimName, "TXT");
    world.publish({ name: dkimName, type: "TXT", data: dkimValue });
    const { panel, domain: fixed } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "pass" });
    expect(fixed.groups.sending).toBe("verified");
  });

  it("tells a resolver's cached 'no such record' from a missing record", async () => {
    const domain = await register("cached.acme.test");
    const { dkimName } = await publish(domain, expectedValue(domain));
    world.resolver.cacheNegative(dkimName, { kind: "nxdomain", ttl: 900 });
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({
      verdict: "temporary_failure",
      dkim: { dnsVerdict: "verified", selfTest: { outcome: "temporary_failure", code: "not_yet_visible" } },
    });
    expect(dkimRecord(checked).dkim!.selfTest!.message).toMatch(/clears by itself/);
  });

  it("keeps its signed test message with the key, verifies that one again while it is recent, and signs afresh once it is old", async () => {
    const domain = await register("kept.acme.test");
    await publish(domain, expectedValue(domain));
    const kept = () => db.dkimKey.findFirstOrThrow({ where: { domainId: domain.id, state: "active" }, select: { selfTestMessage: true, selfTestSignedAt: true } });
    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ code: "pass" });
    const first = await kept();
    expect(first.selfTestMessage).toMatch(/^DKIM-Signature: [^]*d=kept\.acme\.test[^]*s=erc1/);
    // Signed to expire a week after it was made (a day after it stops being reused).
    const tag = (name: string) => Number(first.selfTestMessage!.match(new RegExp(`[; ]${name}=(\\d+)`))![1]);
    expect(tag("x") - tag("t")).toBe(7 * 24 * 3600);
    expect(Date.now() - first.selfTestSignedAt!.getTime()).toBeLessThan(60_000);

    // The next check and the next self-test verify the same signature again.
    expect(dkimRecord(await checkNow(domain.id))).toMatchObject({ verdict: "verified", dkim: { selfTest: { outcome: "pass" } } });
    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ code: "pass" });
    expect(await kept()).toEqual(first);

    // Six days on, it is signed again.
    await db.dkimKey.updateMany({ where: { domainId: domain.id }, data: { selfTestSignedAt: new Date(Date.now() - 6 * 24 * 3_600_000 - 60_000) } });
    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ code: "pass" });
    const second = await kept();
    expect(second.selfTestMessage).not.toBe(first.selfTestMessage);
    expect(Date.now() - second.selfTestSignedAt!.getTime()).toBeLessThan(60_000);
    // A stored run's report never carries the message.
    const runs = await db.domainCheck.findMany({ where: { domainId: domain.id }, select: { report: true } });
    expect(JSON.stringify(runs)).not.toContain("DKIM-Signature");
  });

  it("drops a kept message that no longer verifies against our own published key, and the next test signs afresh", async () => {
    const domain = await register("spoilt.acme.test");
    await publish(domain, expectedValue(domain));
    await selfTest(domain.id);
    const { id, selfTestMessage } = await db.dkimKey.findFirstOrThrow({ where: { domainId: domain.id, state: "active" } });
    // The signed body, changed after signing: its body hash no longer matches.
    await db.dkimKey.update({ where: { id }, data: { selfTestMessage: selfTestMessage!.replace("never sent.", "never sent!") } });

    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ outcome: "temporary_failure", code: "signature_invalid" });
    expect(await db.dkimKey.findUniqueOrThrow({ where: { id }, select: { selfTestMessage: true, selfTestSignedAt: true } })).toEqual({
      selfTestMessage: null,
      selfTestSignedAt: null,
    });
    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ outcome: "pass", code: "pass" });
    expect((await db.dkimKey.findUniqueOrThrow({ where: { id } })).selfTestMessage).toContain("never sent.");

    // The same through a domain check, which stores its results in one statement of its own.
    const resigned = (await db.dkimKey.findUniqueOrThrow({ where: { id } })).selfTestMessage!;
    await db.dkimKey.update({ where: { id }, data: { selfTestMessage: resigned.replace("never sent.", "never sent!") } });
    expect(dkimRecord(await checkNow(domain.id))).toMatchObject({ dkim: { selfTest: { code: "signature_invalid" } } });
    expect(await db.dkimKey.findUniqueOrThrow({ where: { id }, select: { selfTestMessage: true, selfTestSignedAt: true } })).toEqual({
      selfTestMessage: null,
      selfTestSignedAt: null,
    });
    expect(dkimRecord(await checkNow(domain.id))).toMatchObject({ verdict: "verified", dkim: { selfTest: { outcome: "pass" } } });
    expect((await db.dkimKey.findUniqueOrThrow({ where: { id } })).selfTestMessage).toContain("never sent.");
  });

  it("reports a key the console can no longer open, whatever it signed before", async () => {
    const domain = await register("unopenable.acme.test");
    await publish(domain, expectedValue(domain));
    await selfTest(domain.id);
    const key = await db.dkimKey.findFirstOrThrow({ where: { domainId: domain.id, state: "active" } });
    const otherSecrets = Buffer.alloc(32, 9).toString("base64");
    // Sealed under another SECRETS_KEY: the console cannot sign with it any more.
    await db.dkimKey.update({ where: { id: key.id }, data: { privateKeySealed: (await generateDkimKey(otherSecrets)).privateKeySealed } });

    const { panel } = await selfTest(domain.id);
    expect(panel.active!.selfTest).toMatchObject({ outcome: "temporary_failure", code: "key_unavailable" });
    const checked = await checkNow(domain.id);
    expect(dkimRecord(checked)).toMatchObject({ dkim: { selfTest: { code: "key_unavailable" } } });
    expect(checked.groups.sending).not.toBe("verified");
    // Kept for when the key opens again (an operator restores the old SECRETS_KEY) …
    expect((await db.dkimKey.findUniqueOrThrow({ where: { id: key.id } })).selfTestMessage).toBe(key.selfTestMessage);
    // … and then verified again as it was.
    await db.dkimKey.update({ where: { id: key.id }, data: { privateKeySealed: key.privateKeySealed } });
    expect((await selfTest(domain.id)).panel.active!.selfTest).toMatchObject({ outcome: "pass" });
    expect((await db.dkimKey.findUniqueOrThrow({ where: { id: key.id } })).selfTestMessage).toBe(key.selfTestMessage);
  });

  it("runs only for an administrator who can manage, and only on the organisation's own domains", async () => {
    const domain = await register("guarded.acme.test");
    await publish(domain, expectedValue(domain));
    await actAs("viewer@acme.example");
    expect(remember(await runDkimSelfTestAction({ domainId: domain.id }))).toMatchObject({ ok: false, code: "permission_required" });
    // A viewer reads the panel (state, no buttons) …
    expect(remember(await dkimPanelAction({ domainId: domain.id }))).toMatchObject({ ok: true, data: { active: { selector: "erc1" } } });
    expect(await db.dkimKey.findFirst({ where: { domainId: domain.id }, select: { selfTestedAt: true } })).toEqual({ selfTestedAt: null });

    await db.domain.update({ where: { id: domain.id }, data: { organizationId: globex.id } });
    await actAs("admin@acme.example");
    expect(remember(await runDkimSelfTestAction({ domainId: domain.id }))).toMatchObject({ ok: false, code: "not_found" });
    expect(remember(await dkimPanelAction({ domainId: domain.id }))).toMatchObject({ ok: false, code: "not_found" });
  });

  it("never puts a private key in what the actions return", async () => {
    const keys = await db.dkimKey.findMany({ select: { privateKeySealed: true } });
    expect(keys.length).toBeGreaterThan(0);
    const payload = JSON.stringify(responses);
    expect(payload).not.toMatch(/PRIVATE KEY|privateKey/);
    // Nor the self-test's signed message: it stays on the server.
    expect(payload).not.toContain("DKIM-Signature");
    for (const key of keys) {
      const pem = open(key.privateKeySealed!, process.env.SECRETS_KEY!);
      const base64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
      expect(payload).not.toContain(base64.slice(0, 64));
      expect(payload).not.toContain(base64.slice(-64));
      expect(payload).not.toContain(key.privateKeySealed!);
    }
  });
});

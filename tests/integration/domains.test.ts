import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { open } from "@/lib/crypto/sealed-box";
import { getDb } from "@/lib/db/client";
import { getDomain } from "@/lib/domains/queries";
import { registerDomain, restartVerification, unregisterDomain as deleteDomain } from "@/lib/domains/registration";
import type { DomainDependencies } from "@/lib/domains/settings";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { verifyAndRecord } from "@/lib/domains/verification";
import { ConflictError, LimitError, NotFoundError, ValidationError } from "@/lib/errors";

import { asPublished, loopbackVerificationOptions, PLATFORM_TEST_ZONE, PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";

const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const globex = await db.organization.findUniqueOrThrow({ where: { slug: "globex" } });
const secretsKey = Buffer.alloc(32, 3).toString("base64");
const deps: DomainDependencies = {
  secretsKey,
  settings: { ...PLATFORM_TEST_SETTINGS, maxDomainsPerOrganization: 3 },
};

const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }, { origin: "bücher.test" }] });
afterAll(() => world.close());
const dnsOptions = await loopbackVerificationOptions(world);

beforeEach(async () => {
  await db.domain.deleteMany();
});

describe("registering a custom domain", () => {
  it("stores the ASCII name, shows the Unicode one, and asks for every record", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "Hilfe.Bücher.test." }, deps);
    expect(domain).toMatchObject({ name: "hilfe.xn--bcher-kva.test", displayName: "hilfe.bücher.test", status: "pending", kind: "custom" });
    expect(domain.records.map((r) => [r.kind, r.type, r.name])).toEqual([
      ["ownership", "TXT", "_email-routing.hilfe.xn--bcher-kva.test"],
      ["mx", "MX", "hilfe.xn--bcher-kva.test"],
      ["spf", "TXT", "hilfe.xn--bcher-kva.test"],
      ["dkim", "TXT", "erc1._domainkey.hilfe.xn--bcher-kva.test"],
      ["dmarc", "TXT", "_dmarc.hilfe.xn--bcher-kva.test"],
    ]);
    expect(domain.records[4]!.required).toBe(false);
    // The ownership token carries at least 128 bits.
    expect(domain.records[0]!.value).toMatch(/^email-routing-verification=[A-Za-z0-9_-]{32}$/);
  });

  it("keeps the DKIM private key sealed, openable only with the secrets key", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "help.acme.test" }, deps);
    const stored = await db.dkimKey.findFirstOrThrow({ where: { domainId: domain.id } });
    expect(stored).toMatchObject({ selector: "erc1", state: "active" });
    expect(stored.privateKeySealed).toMatch(/^v1\./);
    expect(stored.privateKeySealed).not.toContain("PRIVATE KEY");
    expect(open(stored.privateKeySealed!, secretsKey)).toContain("-----BEGIN PRIVATE KEY-----");
    expect(() => open(stored.privateKeySealed!, Buffer.alloc(32, 9).toString("base64"))).toThrow();
    expect(domain.records[3]).toMatchObject({ value: `v=DKIM1; k=rsa; p=${stored.publicKey}`, dkimKeyId: stored.id });
    // What the pages load never includes the private key.
    expect(JSON.stringify(await getDomain(db, acme.id, domain.id))).not.toContain(stored.privateKeySealed!);
  });

  it("refuses the platform domain and names under it", async () => {
    await expect(registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "acme.routing.platform.test" }, deps)).rejects.toMatchObject({
      fieldErrors: { domain: [expect.stringContaining("routing.platform.test is the platform's own domain")] },
    });
  });

  it("refuses a domain another organisation holds, without saying which", async () => {
    await registerDomain(db, globex.id, { kind: "custom", scenario: "own_domain", domain: "shared.acme.test" }, deps);
    const attempt = registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "SHARED.acme.test" }, deps);
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toThrow(/already registered to another organisation/);
    await expect(attempt).rejects.not.toThrow(/Globex/);
  });

  it("lets exactly one of two organisations racing for a name have it", async () => {
    const results = await Promise.allSettled([
      registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "race.acme.test" }, deps),
      registerDomain(db, globex.id, { kind: "custom", scenario: "own_domain", domain: "race.acme.test" }, deps),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: expect.any(ConflictError) });
    expect(await db.domain.count({ where: { name: "race.acme.test" } })).toBe(1);
  });

  it("enforces the per-organisation limit", async () => {
    for (const name of ["a", "b", "c"]) await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: `${name}.acme.test` }, deps);
    await expect(registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "d.acme.test" }, deps)).rejects.toBeInstanceOf(LimitError);
  });
});

describe("platform domains", () => {
  it("are verified at once and need no records; labels are unique across organisations", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "platform", scenario: "platform_domain", label: "acme" }, deps);
    expect(domain).toMatchObject({ name: "acme.routing.platform.test", status: "verified", records: [] });
    await expect(registerDomain(db, globex.id, { kind: "platform", scenario: "platform_domain", label: "acme" }, deps)).rejects.toMatchObject({
      fieldErrors: { label: ["acme.routing.platform.test is taken. Try another name."] },
    });
  });
});

describe("verifying and recording", () => {
  it("stores each record's verdict and findings, and verifies the domain when ownership and MX check out", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "check.acme.test" }, deps);
    const first = await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    expect(first).toMatchObject({ status: "pending", event: null });
    const records = domain.records.map(expectedFromStored);
    world.publish(...asPublished(records.filter((r) => r.kind === "ownership" || r.kind === "mx")));
    const second = await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    expect(second).toMatchObject({ status: "verified", event: "verified" });
    const stored = await getDomain(db, acme.id, domain.id);
    expect(stored.records.map((r) => r.verdict)).toEqual(["verified", "verified", "failed", "failed", "failed"]);
    expect(stored.records[0]!.lastCheck).toMatchObject({ verdict: "verified", found: [expect.stringContaining("email-routing-verification=")] });
    expect(stored.lastCheckedAt).toBeInstanceOf(Date);
    expect(await db.domainCheck.count({ where: { domainId: domain.id } })).toBe(2);
  });

  it("cannot verify, read or delete another organisation's domain", async () => {
    const foreign = await registerDomain(db, globex.id, { kind: "custom", scenario: "own_domain", domain: "theirs.acme.test" }, deps);
    await expect(verifyAndRecord(db, acme.id, foreign.id, "manual", dnsOptions)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getDomain(db, acme.id, foreign.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteDomain(db, acme.id, { domainId: foreign.id, confirmation: "theirs.acme.test" })).rejects.toBeInstanceOf(NotFoundError);
    expect(await db.domain.count({ where: { id: foreign.id } })).toBe(1);
  });
});

describe("deleting and restarting", () => {
  it("deletes only when the typed name matches", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "gone.acme.test" }, deps);
    await expect(deleteDomain(db, acme.id, { domainId: domain.id, confirmation: "gone.acme" })).rejects.toBeInstanceOf(ValidationError);
    await deleteDomain(db, acme.id, { domainId: domain.id, confirmation: " GONE.acme.test " });
    expect(await db.domain.count({ where: { id: domain.id } })).toBe(0);
  });

  it("restarts a verification that gave up, and only that", async () => {
    const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "late.acme.test" }, deps);
    await expect(restartVerification(db, acme.id, domain.id)).rejects.toBeInstanceOf(ValidationError);
    await db.domain.update({ where: { id: domain.id }, data: { status: "failed", verificationStartedAt: new Date("2026-01-01") } });
    await restartVerification(db, acme.id, domain.id);
    const restarted = await getDomain(db, acme.id, domain.id);
    expect(restarted.status).toBe("pending");
    expect(Date.now() - restarted.verificationStartedAt.getTime()).toBeLessThan(60_000);
  });
});

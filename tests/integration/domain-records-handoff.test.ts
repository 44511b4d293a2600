import { createSocket } from "node:dgram";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { createShareLinkAction, listShareLinksAction, revokeShareLinkAction } from "@/app/(console)/domains/share-actions";
import { getDb } from "@/lib/db/client";
import { probeDomainDns } from "@/lib/domains/dns-problem";
import { getDomainView, readSharedRecords } from "@/lib/domains/queries";
import { hashShareToken } from "@/lib/domains/share-tokens";
import { verifyAndRecord } from "@/lib/domains/verification";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { recordState, groupStates } from "@/lib/domains/record-status";
import { buildZoneFile } from "@/lib/domains/zone-file";

import { asPublished, loopbackVerificationOptions, PLATFORM_TEST_SETTINGS, PLATFORM_TEST_ZONE } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { createCustomDomain } from "../support/jobs";
import { actAs, actAsNobody } from "../support/request-context";
import { INITECH_ADMIN, seedRoutingOrganizations } from "../support/routing-fixtures";

/**
 * Handing the records to whoever runs the DNS: share links (created, listed and revoked only by the
 * organisation that owns the domain, dead once revoked or expired, stored as an HMAC only), the
 * zone file, and the states a check leaves (disappeared, one domain-wide DNS problem), against a
 * real database and loopback DNS servers.
 */
const db = getDb();
const { acme } = await seedRoutingOrganizations(db);
const secretsKey = process.env.SECRETS_KEY!;
const ACME_ADMIN = "admin@acme.example";

const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }, { origin: "corp.test" }] });
afterAll(() => world.close());
const dnsOptions = await loopbackVerificationOptions(world);

beforeEach(async () => {
  await db.domain.deleteMany();
  actAsNobody();
});

describe("records share links", () => {
  it("works without a session for that domain only, and stores only an HMAC of the token", async () => {
    const domain = await createCustomDomain(db, acme.id, "share.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    await createCustomDomain(db, acme.id, "other.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    await actAs(ACME_ADMIN);
    const created = await createShareLinkAction({ domainId: domain.id, validDays: "7" });
    if (!created.ok) throw new Error(created.error);
    const token = created.data.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db.recordShareLink.findFirstOrThrow({ where: { domainId: domain.id } });
    expect(row.tokenHash).toBe(hashShareToken(token, secretsKey));
    expect(row.tokenHash).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * 86_400_000);

    actAsNobody();
    const shared = await readSharedRecords(token, { secretsKey });
    expect(shared?.domain.name).toBe("share.acme.test");
    expect(shared?.domain.records.map((record) => record.name)).not.toContain("other.acme.test");
    // Another SECRETS_KEY cannot match the token to its row: the link is as good as signed.
    expect(await readSharedRecords(token, { secretsKey: Buffer.alloc(32, 9).toString("base64") })).toBeNull();
    expect(await readSharedRecords("x".repeat(43), { secretsKey })).toBeNull();
    expect(await readSharedRecords("not a token", { secretsKey })).toBeNull();

    const audit = await db.auditEntry.findFirstOrThrow({ where: { action: "domain.share_link_create", entityId: domain.id } });
    expect(audit.actorEmail).toBe(ACME_ADMIN);
  });

  it("refuses another organisation: it can neither create, list nor revoke a link to the domain", async () => {
    const domain = await createCustomDomain(db, acme.id, "mine.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    await actAs(ACME_ADMIN);
    const created = await createShareLinkAction({ domainId: domain.id, validDays: 1 });
    if (!created.ok) throw new Error(created.error);

    await actAs(INITECH_ADMIN);
    expect(await createShareLinkAction({ domainId: domain.id, validDays: 1 })).toMatchObject({ ok: false, code: "not_found" });
    expect(await listShareLinksAction({ domainId: domain.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await revokeShareLinkAction({ linkId: created.data.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await readSharedRecords(created.data.token, { secretsKey })).not.toBeNull();
    expect(await db.auditEntry.count({ where: { action: "domain.share_link_revoke" } })).toBe(0);

    actAsNobody();
    expect(await createShareLinkAction({ domainId: domain.id, validDays: 1 })).toMatchObject({ ok: false });
  });

  it("stops working once revoked (audited once) or expired, and refuses a validity other than 1, 7 or 30 days", async () => {
    const domain = await createCustomDomain(db, acme.id, "revoke.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    await actAs(ACME_ADMIN);
    expect(await createShareLinkAction({ domainId: domain.id, validDays: 365 })).toMatchObject({ ok: false, fieldErrors: { validDays: ["Choose 1, 7 or 30 days"] } });
    const first = await createShareLinkAction({ domainId: domain.id, validDays: 30 });
    const second = await createShareLinkAction({ domainId: domain.id, validDays: 1 });
    if (!first.ok || !second.ok) throw new Error("not created");

    const revoked = await revokeShareLinkAction({ linkId: first.data.id });
    expect(revoked).toMatchObject({ ok: true });
    expect(await readSharedRecords(first.data.token, { secretsKey })).toBeNull();
    expect(await revokeShareLinkAction({ linkId: first.data.id })).toMatchObject({ ok: true });
    expect(await db.auditEntry.count({ where: { action: "domain.share_link_revoke", entityId: domain.id } })).toBe(1);

    expect(await readSharedRecords(second.data.token, { secretsKey })).not.toBeNull();
    const afterExpiry = new Date(Date.now() + 86_400_000 + 1000);
    expect(await readSharedRecords(second.data.token, { secretsKey }, afterExpiry)).toBeNull();
    const listed = await listShareLinksAction({ domainId: domain.id });
    expect(listed.ok && listed.data.map((link) => link.state).sort()).toEqual(["active", "revoked"]);

    // Deleting the domain takes its links with it.
    await db.domain.delete({ where: { id: domain.id } });
    expect(await readSharedRecords(second.data.token, { secretsKey })).toBeNull();
  });
});

describe("what a check leaves for the page", () => {
  it("says a verified record that went missing has disappeared, and a wrong value is not 'not found'", async () => {
    const domain = await createCustomDomain(db, acme.id, "gone.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    const records = domain.records.map(expectedFromStored);
    world.publish(...asPublished(records));
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    let view = await getDomainView(db, acme.id, domain.id);
    expect(view.records.map(recordState)).toEqual(["verified", "verified", "verified", "verified", "verified"]);

    world.unpublish("_email-routing.gone.acme.test", "TXT");
    world.unpublish("gone.acme.test", "MX");
    world.publish({ name: "gone.acme.test", type: "MX", data: { preference: 30, exchange: "inbound-1.platform.test" } });
    world.unpublish("_dmarc.gone.acme.test", "TXT");
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    view = await getDomainView(db, acme.id, domain.id);
    expect(view.records.map(recordState)).toEqual(["disappeared", "wrong_value", "verified", "verified", "recommended"]);
    expect(groupStates(view.records)).toEqual({ ownership: "disappeared", inbound: "wrong_value", sending: "verified" });
    expect(view.status).toBe("grace");
    const graced = await getDomainView(db, acme.id, domain.id, { graceHours: 2 });
    const graceStartedAt = (await db.domain.findUniqueOrThrow({ where: { id: domain.id } })).graceStartedAt!;
    expect(graced.graceEndsAt).toBe(new Date(graceStartedAt.getTime() + 2 * 3_600_000).toISOString());
    expect(view.dnsProblem).toBeNull();
  });

  it("names one domain-wide problem when every nameserver of the zone refuses or is lame", async () => {
    const domain = await createCustomDomain(db, acme.id, "help.corp.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    for (const record of domain.records) {
      for (const name of [record.name, `${record.name}.corp.test`, "corp.test"]) {
        world.authoritative[0]?.addRule({ name, action: { kind: "rcode", rcode: "REFUSED" } });
        world.authoritative[1]?.addRule({ name, action: { kind: "not_authoritative" } });
      }
    }
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    const view = await getDomainView(db, acme.id, domain.id);
    expect(view.records.map(recordState)).toEqual(["dns_error", "dns_error", "dns_error", "dns_error", "dns_error"]);
    expect(view.dnsProblem).toMatchObject({ code: "no_answer", title: "None of the records can be checked yet" });
    expect(view.dnsProblem?.message).toContain("No DNS server answers for corp.test — is the domain registered and delegated");
    expect(view.dnsProblem?.servers.join("\n")).toMatch(/ns1\.platform\.test refuses/);
  });
  it("blames the console's own resolvers, not the domain's delegation, when they do not answer", async () => {
    const domain = await createCustomDomain(db, acme.id, "deaf.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    world.publish(...asPublished(domain.records.map(expectedFromStored)));
    // A loopback port nothing listens on: every question to the resolver is refused by the system.
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const deaf = await loopbackVerificationOptions(world, { resolvers: [{ host: "127.0.0.1", port }], timeoutMs: 500 });

    await verifyAndRecord(db, acme.id, domain.id, "manual", deaf);
    const view = await getDomainView(db, acme.id, domain.id);
    expect(view.records.map(recordState)).toEqual(["dns_error", "dns_error", "dns_error", "dns_error", "dns_error"]);
    expect(view.dnsProblem).toMatchObject({ code: "resolvers_unreachable", title: "The console's DNS resolvers are not answering" });
    expect(view.dnsProblem?.message).toContain("That says nothing about acme.test's own DNS");
    expect(view.dnsProblem?.message).not.toContain("delegated");
    expect(view.dnsProblem?.servers).toEqual([`resolver 127.0.0.1:${port} cannot be reached`]);
    // The wizard's hint for a name not yet registered says the same.
    expect(await probeDomainDns("new.acme.test", deaf)).toMatchObject({ code: "resolvers_unreachable" });

    // With the resolver back, the same records verify.
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    const healed = await getDomainView(db, acme.id, domain.id);
    expect(healed.dnsProblem).toBeNull();
    expect(groupStates(healed.records)).toMatchObject({ ownership: "verified", inbound: "verified" });
  });
});

describe("the zone file", () => {
  it("has every record relative to the zone, long TXT values split into 255-byte strings, and the NS the check found", async () => {
    const domain = await createCustomDomain(db, acme.id, "zone.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    world.publish(...asPublished(domain.records.map(expectedFromStored)));
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    const view = await getDomainView(db, acme.id, domain.id);
    const text = buildZoneFile(view, 2026113001);
    const lines = text.split("\n");
    expect(lines).toContain("$ORIGIN acme.test.");
    expect(lines).toContain("$TTL 300");
    expect(lines).toContain("@ 300 IN SOA ns1.platform.test. hostmaster.acme.test. ( 2026113001 3600 600 1209600 300 )");
    expect(lines.filter((line) => line.startsWith("@ 300 IN NS "))).toEqual(["@ 300 IN NS ns1.platform.test.", "@ 300 IN NS ns2.platform.test."]);
    const owners = lines.filter((line) => /^[_a-z]/.test(line)).map((line) => line.split(/\s+/).slice(0, 4).join(" "));
    expect(owners).toEqual(["_email-routing.zone 300 IN TXT", "zone 300 IN MX", "zone 300 IN TXT", "erc1._domainkey.zone 300 IN TXT", "_dmarc.zone 300 IN TXT"]);
    expect(text).toMatch(/^zone\s+300 IN MX\s+10 inbound-1\.platform\.test\. ;/m);
    const dkim = lines.find((line) => line.startsWith("erc1._domainkey.zone"))!;
    const strings = [...dkim.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
    expect(strings.length).toBeGreaterThan(1);
    expect(strings.every((part) => part.length <= 255)).toBe(true);
    expect(strings.join("")).toBe(view.records.find((record) => record.kind === "dkim")!.value);
  });

  it("offers the domain's own SPF record with our include, never a second SPF record, once a check has seen one", async () => {
    const domain = await createCustomDomain(db, acme.id, "merge.acme.test", PLATFORM_TEST_SETTINGS, { secretsKey });
    const standalone = "v=spf1 include:_spf.platform.test ~all";
    expect((await getDomainView(db, acme.id, domain.id)).records.find((record) => record.kind === "spf")?.value).toBe(standalone);
    const others = asPublished(domain.records.map(expectedFromStored).filter((record) => record.kind !== "spf"));
    world.publish(...others, { name: "merge.acme.test", type: "TXT", data: "v=spf1 ip4:192.0.2.10 -all" });
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    const view = await getDomainView(db, acme.id, domain.id);
    const merged = "v=spf1 ip4:192.0.2.10 include:_spf.platform.test -all";
    expect(view.records.find((record) => record.kind === "spf")?.value).toBe(merged);
    const zoneFile = buildZoneFile(view, 2026120201);
    expect(zoneFile).toContain(`"${merged}"`);
    expect(zoneFile).not.toContain(standalone);

    // Once the domain's record has our include, that record is the one shown.
    world.unpublish("merge.acme.test", "TXT");
    world.publish({ name: "merge.acme.test", type: "TXT", data: merged });
    await verifyAndRecord(db, acme.id, domain.id, "manual", dnsOptions);
    const verified = await getDomainView(db, acme.id, domain.id);
    expect(verified.records.find((record) => record.kind === "spf")).toMatchObject({ verdict: "verified", value: merged });
  });

  it("escapes quotes and backslashes inside TXT values", () => {
    const text = buildZoneFile(
      {
        name: "q.example.test",
        zone: "example.test",
        nameservers: [],
        records: [{ id: "1", kind: "ownership", type: "TXT", name: "q.example.test", relativeName: "q", value: 'a"b\\c', preference: null, spfInclude: null, required: true, verdict: "pending", found: [], diagnoses: [], lastCheckedAt: null, lastVerifiedAt: null, ttl: 300, dkim: null }],
      },
      1,
    );
    expect(text).toMatch(/^q 300 IN TXT\s+"a\\"b\\\\c" ;/m);
    expect(text).toContain("@ 300 IN NS ns1.example.test.");
  });
});

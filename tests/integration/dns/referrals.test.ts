import { afterEach, describe, expect, it } from "vitest";

import type { ExpectedRecord } from "@/lib/dns/expected";
import type { VerificationReport } from "@/lib/dns/report";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { dkimKey, dnsWorlds, exampleNet, expectAcme, publishAcme, worldOptions } from "@/tests/support/dns-engine";
import { expectSeveritiesMatchVerdicts } from "@/tests/support/dns-report";
import type { DnsTestServer, DnsWorld } from "@/tests/support/dns-server";
import { startDnsServer } from "@/tests/support/dns-server";

const KEY = dkimKey("r");
const ownership = expectAcme.ownership;
const mx1 = expectAcme.mx();
const spf = expectAcme.spf();
const dkim = expectAcme.dkim(KEY);

const startWorld = dnsWorlds();
const servers: DnsTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function world(resolver: "recursive" | "referrals"): Promise<DnsWorld> {
  const w = await startWorld({
    zones: [
      { origin: "acme.com" },
      {
        origin: "example.net",
        records: [
          exampleNet.spf("v=spf1 include:_spf2.example.net ~all"),
          { name: "_spf2.example.net", type: "TXT", data: "v=spf1 ip4:192.0.2.0/24 ~all" },
          exampleNet.host("mx1.inbound", "127.0.0.20"),
          { name: "alias.example.net", type: "CNAME", data: "mx1.inbound.example.net" },
        ],
      },
    ],
    resolver,
  });
  w.publish(publishAcme.ownership(), publishAcme.mx(), publishAcme.spf(), publishAcme.dkim(KEY));
  return w;
}

async function verify(w: DnsWorld, domain: string, records: ExpectedRecord[]): Promise<VerificationReport> {
  const report = await verifyDomainRecords({ domain, records }, worldOptions(w));
  expectSeveritiesMatchVerdicts(report);
  return report;
}

describe("a configured server that does not recurse and answers with referrals", () => {
  it("is followed to the zone cut and the child's servers: the domain verifies", async () => {
    const w = await world("referrals");
    const report = await verify(w, "acme.com", [ownership(), mx1, spf, dkim]);
    expect(report.zone).toBe("acme.com");
    expect(report.checks.map((c) => c.verdict)).toEqual(["verified", "verified", "verified", "verified"]);
    expect(report.nameservers).toEqual([
      { name: "ns1.acme.com", zone: "acme.com", addresses: ["127.0.0.2"], queried: `127.0.0.2:${w.authoritativePort}`, reachable: true },
      { name: "ns2.acme.com", zone: "acme.com", addresses: ["127.0.0.3"], queried: `127.0.0.3:${w.authoritativePort}`, reachable: true },
    ]);
    expect(JSON.stringify(report)).not.toMatch(/lame/i);
    // It was asked as a resolver (RD set); the child zones' servers were asked directly.
    expect(w.resolver.queries.every((q) => q.recursionDesired)).toBe(true);
    expect(w.authoritative[0]?.queries.some((q) => q.name === "_inbound-verify.acme.com" && !q.recursionDesired)).toBe(true);
  });

  it("follows referrals for names in zones whose nameservers have no glue (SPF includes, MX hosts)", async () => {
    // example.net is served by ns1.acme.com: the `net` referral carries no glue for it.
    const w = await world("referrals");
    w.publish({ name: "acme.com", type: "MX", data: { preference: 20, exchange: "alias.example.net" } });
    const report = await verify(w, "acme.com", [mx1, spf]);
    const [mx, spfCheck] = report.checks;
    // The alias behind the second MX host is only seen by resolving it through the referrals.
    expect(mx?.diagnoses.map((d) => d.code)).toEqual(["mx_target_cname"]);
    expect(spfCheck?.verdict).toBe("verified");
    expect(spfCheck?.servers.at(-1)).toMatchObject({ role: "resolver", outcome: "answer" });
  });

  it("finds a zone cut below the first referral (a delegated subdomain)", async () => {
    const w = await world("referrals");
    const eu = await startDnsServer({
      role: "authoritative",
      host: "127.0.0.4",
      port: w.authoritativePort,
      zones: [{ origin: "eu.acme.com", records: [{ name: "_inbound-verify.eu.acme.com", type: "TXT", data: "inbound-verify=abc123" }] }],
    });
    servers.push(eu);
    w.publish({ name: "eu.acme.com", type: "NS", data: "ns1.eu.acme.com" }, { name: "ns1.eu.acme.com", type: "A", data: "127.0.0.4" });
    const report = await verify(w, "eu.acme.com", [ownership("_inbound-verify.eu.acme.com")]);
    expect(report.zone).toBe("eu.acme.com");
    expect(report.checks[0]?.verdict).toBe("verified");
    expect(report.nameservers.map((n) => [n.name, n.queried])).toEqual([["ns1.eu.acme.com", `127.0.0.4:${w.authoritativePort}`]]);
  });

  it("a subdomain that is not a zone of its own is found in its parent's zone", async () => {
    const w = await world("referrals");
    w.publish({ name: "_x.help.acme.com", type: "TXT", data: "inbound-verify=abc123" });
    const report = await verify(w, "help.acme.com", [ownership("_x.help.acme.com")]);
    expect(report.zone).toBe("acme.com");
    expect(report.checks[0]?.verdict).toBe("verified");
  });

  it("a name the top-level zone does not delegate does not exist", async () => {
    const w = await world("referrals");
    const report = await verify(w, "unregistered.com", [ownership("_inbound-verify.unregistered.com")]);
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.diagnoses[0]).toMatchObject({ code: "zone_discovery_failed", message: expect.stringMatching(/unregistered\.com does not exist/) });
  });
});

describe("lame authoritative servers", () => {
  it("one that answers without authority (a cache) keeps its diagnosis and does not decide the verdict", async () => {
    const w = await world("recursive");
    // ns2 answers like a cache that remembers an old "no such name".
    w.authoritative[1]?.data.remove("_inbound-verify.acme.com");
    w.authoritative[1]?.addRule({ action: { kind: "not_authoritative" } });
    const report = await verify(w, "acme.com", [ownership()]);
    const c = report.checks[0];
    expect(c?.verdict).toBe("verified");
    expect(c?.servers.map((s) => s.outcome)).toEqual(["answer", "refused", "answer"]);
    expect(c?.diagnoses).toEqual([
      expect.objectContaining({ code: "nameserver_error", severity: "warning", message: expect.stringMatching(/ns2\.acme\.com .*not authoritative/) }),
    ]);
  });

  it("one that refers elsewhere keeps its diagnosis and does not decide the verdict", async () => {
    const w = await world("recursive");
    w.authoritative[1]?.addRule({ action: { kind: "referral", zone: "com", nameservers: ["a.gtld.example"] } });
    const report = await verify(w, "acme.com", [ownership()]);
    expect(report.checks[0]?.verdict).toBe("verified");
    expect(report.checks[0]?.diagnoses).toEqual([
      expect.objectContaining({ code: "nameserver_error", severity: "warning", message: expect.stringMatching(/ns2\.acme\.com .*lame/) }),
    ]);
  });

  it("one that refuses or stays silent does not block the definitive answer of the other", async () => {
    const w = await world("recursive");
    w.unpublish("_inbound-verify.acme.com");
    w.authoritative[0]?.addRule({ action: { kind: "rcode", rcode: "REFUSED" } });
    const report = await verify(w, "acme.com", [ownership()]);
    expect(report.checks[0]?.verdict).toBe("failed");
    expect(report.checks[0]?.diagnoses.map((d) => [d.code, d.severity])).toEqual([
      ["record_missing", "error"],
      ["nameserver_error", "warning"],
    ]);
  });

  it("when every server is lame there is no verdict: temporary_failure", async () => {
    const w = await world("recursive");
    for (const s of w.authoritative) s.addRule({ action: { kind: "not_authoritative" } });
    const report = await verify(w, "acme.com", [ownership()]);
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.checks[0]?.diagnoses[0]).toMatchObject({ code: "nameserver_error", severity: "error" });
  });
});

import { describe, expect, it } from "vitest";
import { reportExitCode } from "@/lib/dns/report";
import type { VerifyOptions } from "@/lib/dns/verify";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { dnsWorlds, expectAcme, publishAcme } from "@/tests/support/dns-engine";
import { expectSeveritiesMatchVerdicts } from "@/tests/support/dns-report";
import type { DnsWorld } from "@/tests/support/dns-server";

// Nameserver addresses come from DNS, which tenants control: by default only public unicast
// addresses are queried, so a tenant cannot make the console probe internal addresses. Every
// server here is on loopback, which the default policy refuses; the configured resolver (operator
// configuration) is always asked. Addresses outside loopback appear only as ones never contacted.

const ownership = expectAcme.ownership();

const startWorld = dnsWorlds();

async function world(resolver: "recursive" | "referrals" = "recursive"): Promise<DnsWorld> {
  const w = await startWorld({ zones: [{ origin: "acme.com" }], resolver });
  w.publish(publishAcme.ownership());
  return w;
}

function options(w: DnsWorld, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  // No server here stays silent: a generous timeout only matters on a loaded machine.
  return { resolvers: w.resolvers, authoritativePort: w.authoritativePort, timeoutMs: 1000, retries: 1, ...extra };
}

const sentToNameservers = (w: DnsWorld) => w.authoritative.reduce((n, s) => n + s.queries.length, 0);

describe("by default", () => {
  it("nameservers at loopback addresses are not queried, and the report says why", async () => {
    const w = await world();
    const report = await verifyDomainRecords({ domain: "acme.com", records: [ownership] }, options(w));
    expectSeveritiesMatchVerdicts(report);
    expect(sentToNameservers(w)).toBe(0);
    expect(w.resolver.queries.length).toBeGreaterThan(0);
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(reportExitCode(report)).toBe(2);
    expect(report.nameservers).toEqual([
      { name: "ns1.acme.com", zone: "acme.com", addresses: ["127.0.0.2"], queried: null, reachable: false, error: "not queried: 127.0.0.2 is a loopback address" },
      { name: "ns2.acme.com", zone: "acme.com", addresses: ["127.0.0.3"], queried: null, reachable: false, error: "not queried: 127.0.0.3 is a loopback address" },
    ]);
    const d = report.checks[0]?.diagnoses[0];
    expect(d).toMatchObject({
      code: "nameserver_address_refused",
      severity: "error",
      details: {
        nameservers: [
          { name: "ns1.acme.com", zone: "acme.com", address: "127.0.0.2", addressClass: "loopback" },
          { name: "ns2.acme.com", zone: "acme.com", address: "127.0.0.3", addressClass: "loopback" },
        ],
      },
    });
    expect(d?.message).toMatch(/ns1\.acme\.com at 127\.0\.0\.2 \(loopback\).*public addresses/);
    expect(report.diagnoses.map((x) => x.code)).toEqual(["nameserver_address_refused"]);
  });

  it("IPv6 addresses are judged the same way (IPv4-mapped loopback included)", async () => {
    const w = await world();
    for (const s of w.authoritative) {
      s.data.set("ns1.acme.com", "A", []).add({ name: "ns1.acme.com", type: "AAAA", data: "::ffff:127.0.0.2" });
      s.data.set("ns2.acme.com", "A", []).add({ name: "ns2.acme.com", type: "AAAA", data: "::1" });
    }
    const report = await verifyDomainRecords({ domain: "acme.com", records: [ownership] }, options(w));
    expect(sentToNameservers(w)).toBe(0);
    expect(report.checks[0]?.diagnoses[0]?.details).toMatchObject({
      nameservers: [
        // dns-packet writes IPv4-mapped addresses in hex.
        { name: "ns1.acme.com", address: "::ffff:7f00:2", addressClass: "loopback" },
        { name: "ns2.acme.com", address: "::1", addressClass: "loopback" },
      ],
    });
  });

  it("glue in a referral is judged too, while the configured server itself is asked", async () => {
    const w = await world("referrals");
    const report = await verifyDomainRecords({ domain: "acme.com", records: [ownership] }, options(w));
    expectSeveritiesMatchVerdicts(report);
    expect(w.resolver.queries.length).toBeGreaterThan(0);
    expect(sentToNameservers(w)).toBe(0);
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.checks[0]?.diagnoses.map((d) => d.code)).toContain("nameserver_address_refused");
  });
});

describe("with allowPrivateNameservers (DNS_ALLOW_PRIVATE_NAMESERVERS, for on-premises DNS)", () => {
  it("loopback and private nameservers are queried", async () => {
    const w = await world();
    const report = await verifyDomainRecords({ domain: "acme.com", records: [ownership] }, options(w, { allowPrivateNameservers: true }));
    expect(report.checks[0]?.verdict).toBe("verified");
    expect(sentToNameservers(w)).toBeGreaterThan(0);
  });

  it("unspecified and other special-purpose addresses stay refused; the other servers decide the verdict", async () => {
    const w = await world();
    // 0.0.0.0 would reach this very machine: it must never be a query's destination.
    for (const s of w.authoritative) s.data.set("ns2.acme.com", "A", [{ name: "ns2.acme.com", type: "A", data: "0.0.0.0" }]);
    const report = await verifyDomainRecords({ domain: "acme.com", records: [ownership] }, options(w, { allowPrivateNameservers: true }));
    expectSeveritiesMatchVerdicts(report);
    const c = report.checks[0];
    expect(c?.verdict).toBe("verified");
    expect(c?.servers.map((s) => s.server)).toEqual([`ns1.acme.com (127.0.0.2:${w.authoritativePort})`, `resolver 127.0.0.1:${w.resolver.port}`]);
    expect(c?.diagnoses).toEqual([
      expect.objectContaining({
        code: "nameserver_address_refused",
        severity: "warning",
        details: { nameservers: [{ name: "ns2.acme.com", zone: "acme.com", address: "0.0.0.0", addressClass: "reserved" }] },
      }),
    ]);
    expect(report.nameservers[1]).toMatchObject({ name: "ns2.acme.com", queried: null, error: "not queried: 0.0.0.0 is a reserved or special-purpose address" });
  });
});

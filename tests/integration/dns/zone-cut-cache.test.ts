import { describe, expect, it } from "vitest";
import { DnsCache } from "@/lib/dns/cache";
import type { ExpectedRecord } from "@/lib/dns/expected";
import type { VerificationReport } from "@/lib/dns/report";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { expectSeveritiesMatchVerdicts } from "@/tests/support/dns-report";
import type { DnsTestServer, DnsWorld, ZoneSpec } from "@/tests/support/dns-server";
import { dnsWorlds, exampleNet, expectAcme, publishAcme, worldOptions } from "@/tests/support/dns-engine";

const ownership = expectAcme.ownership();
const RECORDS = [ownership, expectAcme.mx(), expectAcme.spf()];

const startWorld = dnsWorlds();

async function world(options: { resolver?: "recursive" | "referrals"; acme?: Partial<ZoneSpec> } = {}): Promise<DnsWorld> {
  const exampleNetRecords = [
    exampleNet.spf("v=spf1 include:_spf2.example.net ~all"),
    { name: "_spf2.example.net", type: "TXT", data: "v=spf1 ip4:192.0.2.0/24 ~all" } as const,
    exampleNet.host("mx1.inbound", "127.0.0.20"),
  ];
  const w = await startWorld({ zones: [{ origin: "acme.com", ...options.acme }, { origin: "example.net", records: exampleNetRecords }], resolver: options.resolver });
  w.publish(publishAcme.ownership(), publishAcme.mx(), publishAcme.spf());
  return w;
}

async function verify(w: DnsWorld, cache: DnsCache, records: ExpectedRecord[] = RECORDS): Promise<VerificationReport> {
  const report = await verifyDomainRecords({ domain: "acme.com", records }, worldOptions(w, { cache }));
  expectSeveritiesMatchVerdicts(report);
  return report;
}

function forgetQueries(w: DnsWorld): void {
  for (const server of [w.resolver, ...w.authoritative]) server.queries.length = 0;
}

/** The questions a server was asked, as `name TYPE`, sorted. */
function asked(server: DnsTestServer, filter: (q: { name: string; type: string }) => boolean = () => true): string[] {
  return server.queries
    .filter(filter)
    .map((q) => `${q.name.toLowerCase()} ${q.type}`)
    .sort();
}

const zoneCutQuestion = (q: { name: string; type: string }): boolean => q.type === "NS" || /^ns\d\./i.test(q.name);
const spfIncludeQuestion = (q: { name: string; type: string }): boolean => q.name.toLowerCase().startsWith("_spf");

/** A clock the cache reads, moved by the test. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("a re-check with the shared cache", () => {
  it("asks no NS, nameserver-address or SPF include questions, and still asks every authoritative server for every record", async () => {
    const w = await world();
    const cache = new DnsCache();
    const first = await verify(w, cache);
    expect(first.summary.overall).toBe("verified");
    expect(asked(w.resolver, zoneCutQuestion).length).toBeGreaterThan(0);
    expect(asked(w.resolver, spfIncludeQuestion)).toEqual(["_spf.example.net TXT", "_spf2.example.net TXT"]);

    forgetQueries(w);
    const again = await verify(w, cache);
    expect(again.summary.overall).toBe("verified");
    expect(again.zone).toBe("acme.com");
    expect(asked(w.resolver, zoneCutQuestion)).toEqual([]);
    expect(asked(w.resolver, spfIncludeQuestion)).toEqual([]);
    for (const server of w.authoritative) {
      expect(asked(server, (q) => !q.name.toLowerCase().endsWith(".acme.com.acme.com") && q.name.toLowerCase() !== "acme.com.acme.com")).toEqual([
        "_inbound-verify.acme.com TXT",
        "acme.com MX",
        "acme.com TXT",
      ]);
    }
    expect(again.queries).toBeLessThan(first.queries);
    expect(cache.stats.zoneCutHits).toBeGreaterThan(0);
    expect(again.nameservers.map((ns) => ns.name).sort()).toEqual(first.nameservers.map((ns) => ns.name).sort());
  });

  it("reuses the expected MX host's address within its TTL, and asks for it again once the TTL has run out", async () => {
    const w = await world();
    const time = clock();
    const cache = new DnsCache({ now: time.now });
    const mxHostQuestion = (q: { name: string; type: string }): boolean => q.name.toLowerCase() === "mx1.inbound.example.net";
    await verify(w, cache);
    expect(asked(w.resolver, mxHostQuestion)).toEqual(["mx1.inbound.example.net A"]);

    forgetQueries(w);
    time.advance(299_000);
    const again = await verify(w, cache);
    expect(again.summary.inbound).toBe("verified");
    expect(asked(w.resolver, mxHostQuestion)).toEqual([]);
    // The MX record itself is still asked at the resolver and at every authoritative server.
    expect(asked(w.resolver, (q) => q.type === "MX")).toEqual(["acme.com MX"]);

    time.advance(2_000);
    const expired = await verify(w, cache);
    expect(expired.summary.inbound).toBe("verified");
    expect(asked(w.resolver, mxHostQuestion)).toEqual(["mx1.inbound.example.net A"]);
  });

  it("does not keep an MX host that has no address: the next check asks again", async () => {
    const w = await world();
    const cache = new DnsCache();
    w.unpublish("mx1.inbound.example.net", "A");
    await verify(w, cache);
    forgetQueries(w);
    await verify(w, cache);
    expect(asked(w.resolver, (q) => q.name.toLowerCase() === "mx1.inbound.example.net")).toEqual(["mx1.inbound.example.net A"]);
  });

  it("never keeps a record: one removed since the first check fails the re-check", async () => {
    const w = await world();
    const cache = new DnsCache();
    expect((await verify(w, cache)).summary.ownership).toBe("verified");
    w.unpublish("_inbound-verify.acme.com", "TXT");
    const again = await verify(w, cache);
    expect(again.summary.ownership).toBe("failed");
    expect(again.checks[0]?.diagnoses.map((d) => d.code)).toContain("record_missing");
  });

  it("asks again once a TTL the zone cut rests on has run out (a short negative TTL below the cut)", async () => {
    const w = await world({ acme: { soa: { minimum: 5 } } });
    const time = clock();
    const cache = new DnsCache({ now: time.now });
    await verify(w, cache);

    forgetQueries(w);
    time.advance(4_000);
    await verify(w, cache);
    expect(asked(w.resolver, zoneCutQuestion)).toEqual([]);

    time.advance(2_000);
    const expired = await verify(w, cache);
    expect(expired.summary.overall).toBe("verified");
    expect(asked(w.resolver, (q) => q.type === "NS")).toContain("_inbound-verify.acme.com NS");
  });

  it("keeps nothing longer than its cap, whatever the TTLs say", async () => {
    const w = await world();
    const time = clock();
    const cache = new DnsCache({ now: time.now, maxTtlSeconds: 60 });
    await verify(w, cache);
    forgetQueries(w);
    time.advance(61_000);
    await verify(w, cache);
    expect(asked(w.resolver, (q) => q.type === "NS")).toContain("acme.com NS");
    expect(asked(w.resolver, spfIncludeQuestion)).toEqual(["_spf.example.net TXT", "_spf2.example.net TXT"]);
  });

  it("does not keep a discovery that failed: the next check discovers the zone and verifies", async () => {
    const w = await world();
    const cache = new DnsCache();
    w.resolver.addRule({ type: "NS", action: { kind: "rcode", rcode: "SERVFAIL" } });
    const failed = await verify(w, cache);
    expect(failed.summary.overall).toBe("temporary_failure");
    expect(cache.size.zoneCuts).toBe(0);

    w.resolver.clearRules();
    const again = await verify(w, cache);
    expect(again.summary.overall).toBe("verified");
  });

  it("diagnoses a lame nameserver on every check, and hears it again as soon as it answers with authority", async () => {
    const w = await world();
    const cache = new DnsCache();
    const lame = w.authoritative[1];
    if (!lame) throw new Error("the world has two nameservers");
    lame.addRule({ action: { kind: "not_authoritative" } });
    const first = await verify(w, cache, [ownership]);
    const again = await verify(w, cache, [ownership]);
    for (const report of [first, again]) {
      expect(report.checks[0]?.verdict).toBe("verified");
      expect(report.checks[0]?.diagnoses).toContainEqual(expect.objectContaining({ code: "nameserver_error", severity: "warning" }));
    }
    expect(cache.stats.zoneCutHits).toBeGreaterThan(0);

    lame.clearRules();
    const fixed = await verify(w, cache, [ownership]);
    expect(fixed.checks[0]?.diagnoses.map((d) => d.code)).not.toContain("nameserver_error");
  });

  it("follows referrals on the first check and reuses the zone cut they led to", async () => {
    const w = await world({ resolver: "referrals" });
    const cache = new DnsCache();
    expect((await verify(w, cache)).summary.overall).toBe("verified");
    forgetQueries(w);
    const again = await verify(w, cache);
    expect(again.summary.overall).toBe("verified");
    expect(asked(w.resolver, (q) => q.type === "NS")).toEqual([]);
  });

  it("is not shared between different resolvers: another world's check discovers its own zone", async () => {
    const a = await world();
    const b = await world();
    const cache = new DnsCache();
    await verify(a, cache);
    forgetQueries(b);
    expect((await verify(b, cache)).summary.overall).toBe("verified");
    expect(asked(b.resolver, (q) => q.type === "NS")).toContain("acme.com NS");
    expect(b.authoritative.every((server) => server.queries.length > 0)).toBe(true);
  });
});

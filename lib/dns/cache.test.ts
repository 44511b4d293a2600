import { describe, expect, it } from "vitest";

import { DnsCache } from "./cache";
import type { LookupOutcome } from "./types";

const address = (ttl: number): LookupOutcome => ({
  kind: "answer",
  records: [{ type: "A", name: "ns1.dns-host.example", ttl, address: "192.0.2.53" }],
  chain: [],
  ttl,
  authoritative: false,
  additional: [],
});

function clock() {
  let t = 5_000_000;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

describe("DnsCache answers", () => {
  it("counts TTLs down, so nothing built on a cached answer outlives it", () => {
    const time = clock();
    const cache = new DnsCache({ now: time.now });
    cache.rememberAnswer("scope", "ns1.dns-host.example", "A", address(300));
    time.advance(200);
    const cached = cache.answer("scope", "NS1.dns-host.example.", "A");
    expect(cached?.ttl).toBe(100);
    expect(cached?.records[0]?.ttl).toBe(100);
    time.advance(101);
    expect(cache.answer("scope", "ns1.dns-host.example", "A")).toBeNull();
  });

  it("keeps positive answers only, within the cap, and apart per scope", () => {
    const time = clock();
    const cache = new DnsCache({ now: time.now, maxTtlSeconds: 60 });
    cache.rememberAnswer("scope", "gone.example", "TXT", { kind: "nxdomain", chain: [], negativeTtl: 3600, soa: "example", authoritative: false });
    cache.rememberAnswer("scope", "slow.example", "TXT", { kind: "timeout", message: "no reply" });
    cache.rememberAnswer("scope", "ns1.dns-host.example", "A", address(3600));
    expect(cache.answer("scope", "gone.example", "TXT")).toBeNull();
    expect(cache.answer("scope", "slow.example", "TXT")).toBeNull();
    expect(cache.answer("other scope", "ns1.dns-host.example", "A")).toBeNull();
    expect(cache.answer("scope", "ns1.dns-host.example", "A")?.ttl).toBe(60);
    time.advance(61);
    expect(cache.answer("scope", "ns1.dns-host.example", "A")).toBeNull();
  });

  it("holds at most maxEntries, dropping the oldest", () => {
    const cache = new DnsCache({ maxEntries: 2 });
    for (const name of ["a.example", "b.example", "c.example"]) cache.rememberAnswer("scope", name, "A", address(300));
    expect(cache.size.answers).toBe(2);
    expect(cache.answer("scope", "a.example", "A")).toBeNull();
    expect(cache.answer("scope", "c.example", "A")).not.toBeNull();
  });
});

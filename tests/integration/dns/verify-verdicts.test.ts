import dgram from "node:dgram";

import { describe, expect, it } from "vitest";

import { formatReportTable, reportExitCode } from "@/lib/dns/report";
import type { VerifyOptions } from "@/lib/dns/verify";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { dkimKey, dnsWorlds, exampleNet, expectAcme, publishAcme, worldOptions } from "@/tests/support/dns-engine";
import { expectSeveritiesMatchVerdicts } from "@/tests/support/dns-report";
import type { DnsWorld, FixtureRecord } from "@/tests/support/dns-server";

const NOW = new Date("2030-01-01T12:00:00.000Z");
const KEY = dkimKey("k");

const ownership = expectAcme.ownership();
const mx1 = expectAcme.mx();
const mx2 = expectAcme.mx("mx2.inbound.example.net", 20);
const spf = expectAcme.spf();
const ALL = [ownership, mx1, mx2, spf, expectAcme.dkim(KEY), expectAcme.dmarc()];
const PUBLISHED: FixtureRecord[] = [
  publishAcme.ownership(),
  publishAcme.mx(),
  publishAcme.mx("mx2.inbound.example.net", 20),
  publishAcme.spf(),
  publishAcme.dkim(KEY),
];

const startWorld = dnsWorlds();

async function world(records: FixtureRecord[] = PUBLISHED): Promise<DnsWorld> {
  const w = await startWorld({
    zones: [
      { origin: "acme.com", soa: { minimum: 600 } },
      { origin: "example.net", records: [exampleNet.spf(), exampleNet.host("mx1.inbound", "127.0.0.20"), exampleNet.host("mx2.inbound", "127.0.0.21")] },
    ],
  });
  w.publish(...records);
  return w;
}

/** Every run here also proves that severities match verdicts. */
async function verify(...args: Parameters<typeof verifyDomainRecords>): ReturnType<typeof verifyDomainRecords> {
  const report = await verifyDomainRecords(...args);
  expectSeveritiesMatchVerdicts(report);
  return report;
}

function options(w: DnsWorld, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return worldOptions(w, { timeoutMs: 250, retries: 0, now: () => NOW, ...extra });
}

describe("a fully published domain", () => {
  it("is verified record by record, with servers, TTLs and a JSON-safe report", async () => {
    const w = await world();
    const report = await verify({ domain: "ACME.com.", records: ALL }, options(w));
    expect(report.domain).toBe("acme.com");
    expect(report.zone).toBe("acme.com");
    expect(report.checks.map((c) => [c.expected.kind, c.verdict])).toEqual([
      ["ownership", "verified"],
      ["mx", "verified"],
      ["mx", "verified"],
      ["spf", "verified"],
      ["dkim", "verified"],
      ["dmarc", "failed"],
    ]);
    expect(report.summary).toEqual({ ownership: "verified", inbound: "verified", sending: "verified", overall: "verified" });
    expect(reportExitCode(report)).toBe(0);
    // DMARC is advisory, but a missing one is still a failed record, and says so as an error.
    expect(report.checks[5]?.diagnoses.map((d) => [d.code, d.severity])).toEqual([["record_missing", "error"]]);
    expectSeveritiesMatchVerdicts(report);
    expect(report.nameservers).toEqual([
      { name: "ns1.acme.com", zone: "acme.com", addresses: ["127.0.0.2"], queried: `127.0.0.2:${w.authoritativePort}`, reachable: true },
      { name: "ns2.acme.com", zone: "acme.com", addresses: ["127.0.0.3"], queried: `127.0.0.3:${w.authoritativePort}`, reachable: true },
    ]);
    const own = report.checks[0];
    expect(own?.found).toEqual(["inbound-verify=abc123"]);
    expect(own?.ttl).toBe(300);
    expect(own?.servers.map((s) => [s.server, s.role, s.outcome])).toEqual([
      [`ns1.acme.com (127.0.0.2:${w.authoritativePort})`, "authoritative", "answer"],
      [`ns2.acme.com (127.0.0.3:${w.authoritativePort})`, "authoritative", "answer"],
      [`resolver ${w.resolver.host}:${w.resolver.port}`, "resolver", "answer"],
    ]);
    expect(report.startedAt).toBe(NOW.toISOString());
    expect(report.durationMs).toBeLessThan(1500);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("sends each distinct question once per run", async () => {
    const w = await world();
    await verify({ domain: "acme.com", records: ALL }, options(w));
    const nsQueries = w.resolver.queries.filter((q) => q.name === "acme.com" && q.type === "NS");
    expect(nsQueries).toHaveLength(1);
    const perServer = w.authoritative[0]?.queries.filter((q) => q.name === "acme.com" && q.type === "TXT") ?? [];
    expect(perServer).toHaveLength(1);
  });
});

describe("publish, then check now", () => {
  it("fails with a clear instruction, then verifies once the record is added", async () => {
    const w = await world(PUBLISHED.slice(1));
    const before = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(before.checks[0]?.verdict).toBe("failed");
    expect(before.summary.ownership).toBe("failed");
    expect(reportExitCode(before)).toBe(1);
    expect(before.checks[0]?.diagnoses[0]).toMatchObject({
      code: "record_missing",
      severity: "error",
      message: expect.stringContaining("add a TXT record with name `_inbound-verify` and value `inbound-verify=abc123`"),
    });

    w.publish({ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=abc123" });
    const after = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(after.checks[0]?.verdict).toBe("verified");
    expect(reportExitCode(after)).toBe(0);
  });

  it("a wrong value is failed and shows what was found", async () => {
    const w = await world([{ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=old999" }]);
    const report = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(report.checks[0]).toMatchObject({ verdict: "failed", found: ["inbound-verify=old999"] });
    expect(report.checks[0]?.diagnoses[0]?.message).toMatch(/has `inbound-verify=old999`, not the expected `inbound-verify=abc123`/);
  });
});

describe("temporary_failure versus failed", () => {
  it("errors at every authoritative server are a temporary failure, not a failure", async () => {
    const w = await world();
    for (const s of w.authoritative) s.addRule({ name: "_inbound-verify.acme.com", action: { kind: "rcode", rcode: "REFUSED" } });
    const report = await verify({ domain: "acme.com", records: [ownership, mx1] }, options(w));
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.checks[0]?.diagnoses[0]).toMatchObject({ code: "nameserver_error", severity: "error" });
    expect(report.checks[0]?.diagnoses[0]?.message).toMatch(/ns1\.acme\.com .*refused/);
    expect(report.checks[1]?.verdict).toBe("verified");
    expect(report.summary.ownership).toBe("temporary_failure");
    expect(reportExitCode(report)).toBe(2);
  });

  it("one definitive negative answer makes it failed even if another server is down", async () => {
    const w = await world(PUBLISHED.slice(1));
    w.authoritative[1]?.addRule({ action: { kind: "drop" } });
    const report = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(report.checks[0]?.verdict).toBe("failed");
    expect(report.checks[0]?.servers.map((s) => s.outcome)).toEqual(["nxdomain", "timeout", "nxdomain"]);
    expect(report.nameservers.map((n) => n.reachable)).toEqual([true, false]);
    expect(report.nameservers[1]?.error).toMatch(/no reply from 127\.0\.0\.3/);
  });

  it("a record served by one server while the other is down is verified, with a warning", async () => {
    const w = await world();
    w.authoritative[1]?.addRule({ action: { kind: "drop" } });
    const report = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(report.checks[0]?.verdict).toBe("verified");
    expect(report.checks[0]?.diagnoses).toEqual([expect.objectContaining({ code: "nameserver_error", severity: "warning" })]);
  });

  it("failed wins over temporary_failure in the exit code and group verdicts", async () => {
    const w = await world(PUBLISHED.filter((r) => r.type !== "MX"));
    for (const s of w.authoritative) s.addRule({ name: "inbound1._domainkey.acme.com", action: { kind: "rcode", rcode: "SERVFAIL" } });
    const report = await verify({ domain: "acme.com", records: ALL }, options(w));
    expect(report.summary).toEqual({ ownership: "verified", inbound: "failed", sending: "temporary_failure", overall: "failed" });
    expect(reportExitCode(report)).toBe(1);
  });

  it("an unreachable resolver makes zone discovery fail: temporary_failure that says so", async () => {
    const w = await world();
    w.resolver.addRule({ action: { kind: "drop" } });
    const report = await verify({ domain: "acme.com", records: [ownership] }, options(w));
    expect(report.zone).toBeNull();
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.diagnoses[0]).toMatchObject({ code: "zone_discovery_failed", message: expect.stringMatching(/acme\.com.*no reply from 127\.0\.0\.1/) });
  });

  it("fails over to the next resolver", async () => {
    const w = await world();
    // A port that was just free: nothing listens there, so the first resolver fails fast.
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
    const deadPort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const report = await verify(
      { domain: "acme.com", records: [ownership] },
      options(w, { resolvers: [{ host: "127.0.0.1", port: deadPort }, ...w.resolvers] }),
    );
    expect(report.checks[0]?.verdict).toBe("verified");
  });

  it("a domain that does not exist is reported as such", async () => {
    const w = await world();
    const report = await verify(
      { domain: "nonexistent-domain.example", records: [{ ...ownership, name: "_inbound-verify.nonexistent-domain.example" }] },
      options(w),
    );
    expect(report.checks[0]?.verdict).toBe("temporary_failure");
    expect(report.diagnoses[0]?.message).toMatch(/nonexistent-domain\.example does not exist .*registered/);
  });

  it("an invalid record name fails without querying", async () => {
    const w = await world();
    const report = await verify({ domain: "acme.com", records: [{ ...ownership, name: "bad..name.acme.com" }] }, options(w));
    expect(report.checks[0]).toMatchObject({ verdict: "failed", diagnoses: [{ code: "invalid_name" }] });
  });
});

describe("deadline", () => {
  it("bounds the whole run and still returns a report", async () => {
    const w = await world();
    for (const s of w.authoritative) s.delayMs = 3000;
    const started = performance.now();
    const report = await verify({ domain: "acme.com", records: ALL }, options(w, { timeoutMs: 2000, deadlineMs: 300 }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1200);
    expect(report.checks.every((c) => c.verdict === "temporary_failure")).toBe(true);
    expect(report.checks[0]?.servers.map((s) => s.outcome)).toEqual(["timeout", "timeout", "answer"]);
    expect(report.diagnoses.map((d) => d.code)).toContain("deadline_exceeded");
    expect(reportExitCode(report)).toBe(2);
  });
});

describe("formatReportTable", () => {
  it("prints one row per record and every diagnosis message once", async () => {
    const w = await world(PUBLISHED.slice(1));
    const report = await verify({ domain: "acme.com", records: ALL }, options(w));
    const table = formatReportTable(report);
    const lines = table.split("\n");
    expect(lines.find((l) => l.startsWith("ownership _inbound-verify.acme.com"))).toMatch(/FAILED\s+inbound-verify=abc123\s+-\s+record_missing/);
    expect(lines.find((l) => l.startsWith("mx acme.com") && l.includes("10 mx1"))).toMatch(/verified/);
    expect(lines.filter((l) => l.startsWith("ERROR   record_missing: No TXT record found at _inbound-verify.acme.com"))).toHaveLength(1);
    expect(table).toMatch(/Summary: ownership failed, inbound verified, sending verified, overall failed/);
  });
});

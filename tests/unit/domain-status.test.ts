import { describe, expect, it } from "vitest";

import { nextDomainState, type DomainState } from "@/lib/domains/status";

const start = new Date("2026-11-01T00:00:00Z");
const hours = (n: number) => new Date(start.getTime() + n * 3_600_000);
const ok = { ownership: "verified", inbound: "verified" } as const;
const missing = { ownership: "verified", inbound: "failed" } as const;
const dnsError = { ownership: "temporary_failure", inbound: "verified" } as const;

const pending: DomainState = { status: "pending", verificationStartedAt: start, graceStartedAt: null, verifiedAt: null };
const verified: DomainState = { status: "verified", verificationStartedAt: start, graceStartedAt: null, verifiedAt: hours(1) };

describe("domain status", () => {
  it("verifies a pending domain once ownership and MX check out", () => {
    expect(nextDomainState(pending, ok, hours(2))).toMatchObject({ status: "verified", verifiedAt: hours(2), event: "verified" });
  });

  it("keeps a pending domain pending until 72 hours have passed, then fails it", () => {
    expect(nextDomainState(pending, missing, hours(71.9))).toMatchObject({ status: "pending", event: null });
    expect(nextDomainState(pending, dnsError, hours(72))).toMatchObject({ status: "failed", event: "failed" });
  });

  it("puts a verified domain whose record disappeared into grace, not straight to degraded", () => {
    expect(nextDomainState(verified, missing, hours(10))).toMatchObject({ status: "grace", graceStartedAt: hours(10), event: "grace" });
  });

  it("ignores DNS errors on a verified domain", () => {
    expect(nextDomainState(verified, dnsError, hours(10))).toMatchObject({ status: "verified", event: null });
  });

  it("degrades only when the record is still missing after the grace period", () => {
    const grace: DomainState = { ...verified, status: "grace", graceStartedAt: hours(10) };
    expect(nextDomainState(grace, missing, hours(15.9))).toMatchObject({ status: "grace", event: null });
    expect(nextDomainState(grace, dnsError, hours(17))).toMatchObject({ status: "grace", event: null });
    expect(nextDomainState(grace, missing, hours(16))).toMatchObject({ status: "degraded", event: "degraded" });
  });

  it("recovers from grace or degraded when the record is back, keeping the first verification time", () => {
    const degraded: DomainState = { ...verified, status: "degraded", graceStartedAt: hours(10) };
    expect(nextDomainState(degraded, ok, hours(30))).toMatchObject({ status: "verified", graceStartedAt: null, verifiedAt: hours(1), event: "recovered" });
  });

  it("lets a failed domain become verified when its records appear", () => {
    expect(nextDomainState({ ...pending, status: "failed" }, ok, hours(100))).toMatchObject({ status: "verified", event: "verified" });
  });
});

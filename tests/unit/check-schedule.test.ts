import { describe, expect, it } from "vitest";

import { loadConfig } from "@/lib/config/env";
import { nextDomainState, type DomainState } from "@/lib/domains/status";
import { monitoringSettingsFrom, nextCheckAt, type MonitoringSettings, type ScheduledDomain } from "@/lib/domains/check-schedule";

import { configProblems } from "../support/config";

const start = new Date("2026-11-01T00:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(start.getTime() + ms);
const noJitter = () => 0;

const loaded = loadConfig({ NODE_ENV: "test" });
if (!loaded.ok) throw new Error("default configuration must load");
const settings: MonitoringSettings = monitoringSettingsFrom(loaded.config);

const pending: ScheduledDomain = { kind: "custom", status: "pending", verificationStartedAt: start, graceStartedAt: null };

describe("the default monitoring settings", () => {
  it("follow the product: 1 min back-off growing to 1 h, 72 h to verify, 6 h of grace", () => {
    expect(settings.schedule).toMatchObject({ pendingFirstMs: MINUTE, pendingMaxMs: HOUR, verifiedEveryMs: 6 * HOUR, graceEveryMs: 15 * MINUTE, degradedEveryMs: HOUR });
    expect(settings.policy).toEqual({ pendingTimeoutHours: 72, graceHours: 6 });
  });
});

describe("when a pending domain is checked next", () => {
  it("backs off from one minute, doubling, to one hour", () => {
    // Follow the schedule the way the worker does: each check runs when the previous one said.
    const gaps: number[] = [];
    let now = start;
    for (let check = 0; check < 10; check++) {
      const next = nextCheckAt(pending, now, settings)!;
      gaps.push((next.getTime() - now.getTime()) / MINUTE);
      now = next;
    }
    expect(gaps).toEqual([1, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it("lands the last check exactly on the 72-hour limit, then gives up on time", () => {
    const almost = at(71.5 * HOUR);
    const last = nextCheckAt(pending, almost, settings)!;
    expect(last).toEqual(at(72 * HOUR));
    const state: DomainState = { status: "pending", verificationStartedAt: start, graceStartedAt: null, verifiedAt: null };
    const change = nextDomainState(state, { ownership: "failed", inbound: "failed" }, last, settings.policy);
    expect(change).toMatchObject({ status: "failed", event: "failed" });
    expect(nextCheckAt({ ...pending, status: change.status }, last, settings)).toBeNull();
  });

  it("checks at once a pending domain that is already past its limit (the worker was down)", () => {
    const late = at(80 * HOUR);
    expect(nextCheckAt(pending, late, settings)).toEqual(late);
  });

  it("starts over when the admin restarts verification", () => {
    const restartedAt = at(100 * HOUR);
    expect(nextCheckAt({ ...pending, verificationStartedAt: restartedAt }, restartedAt, settings)).toEqual(at(100 * HOUR + MINUTE));
  });
});

describe("when other domains are checked next", () => {
  const verified: ScheduledDomain = { ...pending, status: "verified" };

  it("re-checks a verified domain every few hours, sometimes a little early so domains verified together spread out", () => {
    expect(nextCheckAt(verified, start, settings, noJitter)).toEqual(at(6 * HOUR));
    expect(nextCheckAt(verified, start, settings, () => 1)).toEqual(at(5.4 * HOUR));
  });

  it("re-checks a domain in grace often, and exactly at the end of the grace period", () => {
    const grace: ScheduledDomain = { ...pending, status: "grace", graceStartedAt: start };
    expect(nextCheckAt(grace, at(MINUTE), settings)).toEqual(at(16 * MINUTE));
    expect(nextCheckAt(grace, at(5 * HOUR + 55 * MINUTE), settings)).toEqual(at(6 * HOUR));
    // Past the end (the check there hit a DNS error, so it stayed in grace): keep the grace pace.
    expect(nextCheckAt(grace, at(6 * HOUR), settings)).toEqual(at(6 * HOUR + 15 * MINUTE));
  });

  it("keeps watching a degraded domain so its recovery is noticed", () => {
    expect(nextCheckAt({ ...pending, status: "degraded", graceStartedAt: start }, at(7 * HOUR), settings)).toEqual(at(8 * HOUR));
  });

  it("never schedules DNS checks for platform domains or verifications that gave up", () => {
    expect(nextCheckAt({ ...verified, kind: "platform" }, start, settings)).toBeNull();
    expect(nextCheckAt({ ...pending, status: "failed" }, start, settings)).toBeNull();
  });

  it("follows configured intervals (what the tests and small deployments shorten)", () => {
    const fast = loadConfig({ NODE_ENV: "test", CHECK_VERIFIED_INTERVAL: "90s", CHECK_PENDING_FIRST_INTERVAL: "2s", CHECK_PENDING_MAX_INTERVAL: "10s" });
    if (!fast.ok) throw new Error(JSON.stringify(fast.problems));
    const quick = monitoringSettingsFrom(fast.config);
    expect(nextCheckAt(verified, start, quick, noJitter)).toEqual(at(90_000));
    expect(nextCheckAt(pending, at(60_000), quick)).toEqual(at(70_000));
  });
});

describe("the background settings", () => {
  it("read durations with units and refuse bare numbers and impossible combinations", () => {
    const problems = configProblems({
      NODE_ENV: "test",
      CHECK_GRACE_PERIOD: "6",
      JOB_EXPIRY: "5s",
      WORKER_MODE: "sometimes",
      CHECK_PENDING_FIRST_INTERVAL: "2h",
      CHECK_PENDING_MAX_INTERVAL: "1h",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { variable: "CHECK_GRACE_PERIOD", message: "must be a duration such as 90s, 15m or 6h" },
        { variable: "WORKER_MODE", message: "must be in-process or off" },
      ]),
    );
    // Refinements run once the fields themselves are valid.
    const combos = loadConfig({ NODE_ENV: "test", JOB_EXPIRY: "5s", CHECK_PENDING_FIRST_INTERVAL: "2h", CHECK_PENDING_MAX_INTERVAL: "1h" });
    expect(combos).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        { variable: "JOB_EXPIRY", message: expect.stringContaining("must be at least 12s") },
        { variable: "CHECK_PENDING_MAX_INTERVAL", message: "must not be shorter than CHECK_PENDING_FIRST_INTERVAL" },
      ]),
    });
  });

  it("have defaults that run the worker in every web instance", () => {
    expect(loaded.ok && loaded.config).toMatchObject({ WORKER_MODE: "in-process", JOB_EXPIRY: MINUTE, WEBHOOK_ALLOW_LOOPBACK: false, WEBHOOK_MAX_ATTEMPTS: 8 });
  });
});

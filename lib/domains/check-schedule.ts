import type { DomainStatus, StatusPolicy } from "./status";

/**
 * When the background checker looks at a domain next. Pure: the caller supplies the clock, so
 * the schedule is tested without waiting and every instance computes the same answer from the
 * domain's row (domains.next_check_at stores it for admins and for the sweep).
 */
export interface CheckSchedule {
  /** First re-check of a pending domain; each later one waits as long as the attempt has lasted. */
  pendingFirstMs: number;
  /** Back-off ceiling while pending. */
  pendingMaxMs: number;
  verifiedEveryMs: number;
  graceEveryMs: number;
  degradedEveryMs: number;
}

export interface MonitoringSettings {
  schedule: CheckSchedule;
  policy: StatusPolicy;
}

const HOUR = 3_600_000;

/** The configuration entries the monitoring settings come from (lib/config/env.ts's AppConfig has them). */
export interface MonitoringConfig {
  CHECK_PENDING_FIRST_INTERVAL: number;
  CHECK_PENDING_MAX_INTERVAL: number;
  CHECK_VERIFIED_INTERVAL: number;
  CHECK_GRACE_INTERVAL: number;
  CHECK_DEGRADED_INTERVAL: number;
  CHECK_PENDING_TIMEOUT: number;
  CHECK_GRACE_PERIOD: number;
}

export function monitoringSettingsFrom(config: MonitoringConfig): MonitoringSettings {
  return {
    schedule: {
      pendingFirstMs: config.CHECK_PENDING_FIRST_INTERVAL,
      pendingMaxMs: config.CHECK_PENDING_MAX_INTERVAL,
      verifiedEveryMs: config.CHECK_VERIFIED_INTERVAL,
      graceEveryMs: config.CHECK_GRACE_INTERVAL,
      degradedEveryMs: config.CHECK_DEGRADED_INTERVAL,
    },
    policy: {
      pendingTimeoutHours: config.CHECK_PENDING_TIMEOUT / HOUR,
      graceHours: config.CHECK_GRACE_PERIOD / HOUR,
    },
  };
}

export interface ScheduledDomain {
  kind: "custom" | "platform";
  status: DomainStatus;
  verificationStartedAt: Date;
  graceStartedAt: Date | null;
}

/** Share of the verified interval by which a check may come early, so domains verified together drift apart. */
const VERIFIED_JITTER = 0.1;

/**
 * The next automatic check after one that ran at `now`, or null when none is due (platform
 * domains need no DNS; a failed verification waits for the admin to restart it).
 *
 * Pending back-off without a counter: waiting as long as the attempt has already lasted doubles
 * the gap each time (1, 2, 4 … minutes, capped at an hour), and survives restarts of any worker.
 * The last pending check lands exactly on the give-up time, and grace checks never overshoot the
 * end of the grace period, so `failed` and `degraded` happen on time rather than up to one
 * interval late.
 */
export function nextCheckAt(
  domain: ScheduledDomain,
  now: Date,
  settings: MonitoringSettings,
  random: () => number = Math.random,
): Date | null {
  if (domain.kind === "platform") return null;
  const { schedule, policy } = settings;
  const at = now.getTime();
  switch (domain.status) {
    case "pending": {
      const started = domain.verificationStartedAt.getTime();
      const deadline = started + policy.pendingTimeoutHours * HOUR;
      const wait = Math.min(Math.max(at - started, schedule.pendingFirstMs), schedule.pendingMaxMs);
      return new Date(Math.max(at, Math.min(at + wait, deadline)));
    }
    case "verified":
      return new Date(at + Math.round(schedule.verifiedEveryMs * (1 - VERIFIED_JITTER * clamp01(random()))));
    case "grace": {
      const next = at + schedule.graceEveryMs;
      const end = (domain.graceStartedAt?.getTime() ?? at) + policy.graceHours * HOUR;
      return new Date(end > at ? Math.min(next, end) : next);
    }
    case "degraded":
      return new Date(at + schedule.degradedEveryMs);
    case "failed":
      return null;
  }
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
}

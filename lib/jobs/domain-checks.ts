import "server-only";

import { getConfig, type AppConfig } from "@/lib/config/env";
import { getDb, type Database } from "@/lib/db/client";
import type { DnsCache } from "@/lib/dns";
import { monitoringSettingsFrom, nextCheckAt } from "@/lib/domains/check-schedule";
import { dnsOptionsFrom } from "@/lib/domains/dns-options";
import type { DomainFollowUps } from "@/lib/domains/follow-ups";
import { loadExpectation, verifyAndRecord, type Expectation, type VerifyAndRecordOptions } from "@/lib/domains/verification";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";

import { enqueueDomainCheck } from "./enqueue";

/**
 * Starts (or re-starts) background checks of a domain: computes its next check from its current
 * status, stores it in domains.next_check_at and queues the job. Call it after the transaction
 * that registered the domain or restarted its verification has committed. Returns when the next
 * check is due (null: none — platform domain, or verification gave up).
 *
 * Never throws: registration has succeeded whatever happens here, and the job sweep queues any
 * monitored domain that has no job within JOB_SWEEP_INTERVAL anyway.
 */
export async function scheduleDomainChecks(domainId: string, options: { db?: Database; now?: Date } = {}): Promise<Date | null> {
  try {
    const db = options.db ?? getDb();
    const now = options.now ?? new Date();
    const domain = await db.domain.findUnique({
      where: { id: domainId },
      select: { kind: true, status: true, verificationStartedAt: true, graceStartedAt: true },
    });
    if (!domain) return null;
    const next = nextCheckAt(domain, now, monitoringSettingsFrom(getConfig()));
    // Only if the status is still the one the schedule was computed from (a check may have run meanwhile).
    await db.domain.updateMany({ where: { id: domainId, status: domain.status }, data: { nextCheckAt: next } });
    await enqueueDomainCheck(domainId, next);
    return next;
  } catch (error) {
    log.warn({ err: error, domainId }, "could not schedule domain checks; the job sweep will");
    return null;
  }
}

/** The domain commands' after-commit follow-ups, on this process's job queue. */
export const domainFollowUps: DomainFollowUps = {
  scheduleChecks: (domainId) => scheduleDomainChecks(domainId),
};

/** What a check runs with: the configured DNS engine, status rules and the key that opens DKIM keys. */
export async function verificationOptions(config: AppConfig = getConfig()): Promise<VerifyAndRecordOptions> {
  return { ...(await dnsOptionsFrom(config)), monitoring: monitoringSettingsFrom(config), secretsKey: config.SECRETS_KEY };
}

/** A job may start this much before the row says the check is due (clock differences between hosts). */
const EARLY_TOLERANCE_MS = 5_000;

export type ScheduledCheckResult = "checked" | "not_found" | "not_monitored" | "not_due";

export interface ScheduledCheckOptions {
  now?: Date;
  /**
   * The worker's DNS cache, shared by all its checks: zone cuts, nameserver addresses and SPF
   * includes are reused within their TTLs, so a re-check asks only for the records themselves.
   */
  dnsCache?: DnsCache;
}

/**
 * The `domain-check` job. The row decides whether a check is due, the job only wakes us: a job
 * left over from an older schedule (the admin checked by hand since) does nothing.
 */
export async function runScheduledCheck(
  db: Database,
  domainId: string,
  config: AppConfig,
  { now = new Date(), dnsCache }: ScheduledCheckOptions = {},
): Promise<ScheduledCheckResult> {
  let expectation: Expectation;
  try {
    // Read once: the same row and records decide whether the check is due and are what it checks.
    expectation = await loadExpectation(db, null, domainId);
  } catch (error) {
    if (error instanceof NotFoundError) return "not_found";
    throw error;
  }
  const { domain } = expectation;
  if (domain.kind !== "custom" || domain.status === "failed") return "not_monitored";
  if (domain.nextCheckAt && domain.nextCheckAt.getTime() > now.getTime() + EARLY_TOLERANCE_MS) return "not_due";
  try {
    const options = await verificationOptions(config);
    await verifyAndRecord(db, null, domainId, "scheduled", { ...options, expectation, ...(dnsCache ? { cache: dnsCache } : {}) });
  } catch (error) {
    if (error instanceof NotFoundError) return "not_found"; // deleted while its DNS was being checked
    throw error;
  }
  return "checked";
}

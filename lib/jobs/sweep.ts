import "server-only";

import type { AppConfig } from "@/lib/config/env";
import type { Database } from "@/lib/db/client";
import { monitoringSettingsFrom, nextCheckAt } from "@/lib/domains/check-schedule";
import type { DomainStatus } from "@/lib/domains/status";

import { getJobClient } from "./client";
import { enqueueDomainCheck, enqueueWebhookDelivery } from "./enqueue";
import { JOB_SCHEMA, QUEUES } from "./queues";

/** Rows handled per sweep; the next sweep takes the rest. */
const BATCH = 1000;
/** Heartbeats of workers gone this long are deleted. */
const HEARTBEAT_RETENTION_MS = 86_400_000;

export interface SweepResult {
  domains: number;
  deliveries: number;
}

/**
 * The safety net under the queue: jobs are queued when a check or delivery is scheduled, but a
 * process can die between committing a schedule and queueing its job, a job can exhaust its
 * retries while the database was away, and domains registered by code that did not schedule them
 * have no job at all. Every JOB_SWEEP_INTERVAL one worker queues every domain check and webhook
 * delivery that is due within the next two intervals and has no job that would run it in time.
 */
export async function sweepDueWork(db: Database, config: AppConfig, now = new Date()): Promise<SweepResult> {
  // The queue's tables exist once pg-boss has started in this process (it installs them if missing).
  await getJobClient(config);
  const horizon = new Date(now.getTime() + 2 * config.JOB_SWEEP_INTERVAL);
  const settings = monitoringSettingsFrom(config);

  // `policy = 'stately'` (the policy of every job in both queues, lib/jobs/queues.ts) lets PostgreSQL
  // look each job up in pg-boss's unique index on (name, state, singleton key) instead of reading
  // every queued job for each row: seconds per sweep with 10,000 checks queued.
  const domains = await db.$queryRawUnsafe<
    {
      id: string;
      kind: "custom" | "platform";
      status: DomainStatus;
      verification_started_at: Date;
      grace_started_at: Date | null;
      last_checked_at: Date | null;
      next_check_at: Date | null;
    }[]
  >(
    `SELECT d.id::text AS id, d.kind::text AS kind, d.status::text AS status, d.verification_started_at, d.grace_started_at,
            d.last_checked_at, d.next_check_at
       FROM domains d
      WHERE d.kind = 'custom' AND d.status IN ('pending', 'verified', 'grace', 'degraded')
        AND (d.next_check_at IS NULL OR d.next_check_at <= $1)
        AND NOT EXISTS (
          SELECT 1 FROM ${JOB_SCHEMA}.job j
           WHERE j.name = $3 AND COALESCE(j.singleton_key, '') = d.id::text AND j.policy = 'stately'
             AND (j.state = 'active' OR (j.state < 'active' AND j.start_after <= GREATEST(COALESCE(d.next_check_at, $2), $2) + interval '5 seconds')))
      ORDER BY d.next_check_at NULLS FIRST
      LIMIT ${BATCH}`,
    horizon,
    now,
    QUEUES.domainCheck,
  );
  for (const row of domains) {
    let due = row.next_check_at;
    if (!due) {
      // Never scheduled (registered before background checks existed, or by code that did not call
      // scheduleDomainChecks): schedule from the last check, or now.
      const state = { kind: row.kind, status: row.status, verificationStartedAt: row.verification_started_at, graceStartedAt: row.grace_started_at };
      const computed = nextCheckAt(state, row.last_checked_at ?? now, settings);
      if (!computed) continue;
      due = computed < now ? now : computed;
      await db.domain.updateMany({ where: { id: row.id, status: row.status, nextCheckAt: null }, data: { nextCheckAt: due } });
    }
    await enqueueDomainCheck(row.id, due < now ? now : due);
  }

  const deliveries = await db.$queryRawUnsafe<{ id: string; next_attempt_at: Date }[]>(
    `SELECT wd.id::text AS id, wd.next_attempt_at
       FROM webhook_deliveries wd
      WHERE wd.status = 'pending' AND wd.next_attempt_at IS NOT NULL AND wd.next_attempt_at <= $1
        AND NOT EXISTS (
          SELECT 1 FROM ${JOB_SCHEMA}.job j
           WHERE j.name = $2 AND COALESCE(j.singleton_key, '') = wd.id::text AND j.state <= 'active' AND j.policy = 'stately')
      ORDER BY wd.next_attempt_at
      LIMIT ${BATCH}`,
    horizon,
    QUEUES.webhookDelivery,
  );
  for (const row of deliveries) await enqueueWebhookDelivery(row.id, row.next_attempt_at < now ? now : row.next_attempt_at);

  await db.workerHeartbeat.deleteMany({ where: { seenAt: { lt: new Date(now.getTime() - HEARTBEAT_RETENTION_MS) } } });
  return { domains: domains.length, deliveries: deliveries.length };
}

import "server-only";

import { randomBytes } from "node:crypto";
import os from "node:os";

import PgBoss from "pg-boss";

import type { AppConfig } from "@/lib/config/env";
import { databaseUrl, getDb, type Database } from "@/lib/db/client";
import { namePgBossStatements } from "@/lib/db/prepared";
import { DnsCache } from "@/lib/dns";
import { log as rootLog, type Logger } from "@/lib/log";
import { startHeartbeat } from "@/lib/runtime/heartbeat";
import { pruneInboundMail } from "@/lib/mail/retention";
import { pruneNotifications } from "@/lib/notifications/retention";
import { deliverTestMessage } from "@/lib/test-messages/deliver";
import { deliveryDependencies } from "@/lib/test-messages/settings";
import { attemptDelivery } from "@/lib/notifications/webhooks/deliveries";
import { webhookDependencies } from "@/lib/notifications/webhooks/settings";

import { startBatchWorker, type BatchWorker } from "@/lib/jobs/batch-worker";
import { describeBossError, lendJobClient, pgBossOptions, releaseJobClient } from "@/lib/jobs/client";
import { runScheduledCheck } from "@/lib/jobs/domain-checks";
import { enqueueWebhookDelivery } from "@/lib/jobs/enqueue";
import { ensureQueues, QUEUES, type DomainCheckJob, type TestMessageJob, type WebhookDeliveryJob } from "@/lib/jobs/queues";
import { sweepDueWork, type SweepResult } from "@/lib/jobs/sweep";

/**
 * A job worker: pg-boss polls PostgreSQL for domain checks, webhook deliveries and sweeps, and runs
 * them. Any number of workers (in web instances and `npm run worker` processes) share the queue;
 * PostgreSQL decides who runs what (FOR UPDATE SKIP LOCKED, plus the queues' singleton rules).
 */
export type WorkerMode = "in-process" | "separate";

export interface JobEvent {
  queue: string;
  jobId: string;
  workerId: string;
  phase: "start" | "end";
  data: unknown;
  result?: unknown;
  error?: string;
}

export interface WorkerOptions {
  config: AppConfig;
  mode: WorkerMode;
  db?: Database;
  log?: Logger;
  /** Observes each job's start and end (tests, metrics). */
  onJob?: (event: JobEvent) => void;
}

export interface WorkerStatus {
  id: string;
  mode: WorkerMode;
  state: "running" | "stopping" | "stopped";
  startedAt: Date;
  /** Last heartbeat written to the database (null until the first one succeeds). */
  lastHeartbeatAt: Date | null;
}

export interface JobWorker {
  readonly id: string;
  status(): WorkerStatus;
  /**
   * Stops fetching, waits up to `timeoutMs` for running jobs to finish, then hands back any still
   * running (they fail into `retry` and another worker takes them), and closes the queue's pool.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<JobWorker> {
  const { config, mode } = options;
  const db = options.db ?? getDb();
  const url = databaseUrl();
  const id = `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const log = (options.log ?? rootLog).child({ worker: id });
  const startedAt = new Date();
  let state: WorkerStatus["state"] = "running";

  const boss = new PgBoss(pgBossOptions(config, url, "worker"));
  namePgBossStatements(boss);
  boss.on("error", (error) => log.warn({ err: describeBossError(error) }, "job queue error"));
  await boss.start();
  try {
    await ensureQueues(boss, config, url);
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw error;
  }
  lendJobClient(boss);

  const pollingIntervalSeconds = Math.max(0.5, config.JOB_POLL_INTERVAL / 1000);
  const observe = (event: JobEvent) => {
    try {
      options.onJob?.(event);
    } catch {
      // An observer must never fail a job.
    }
  };

  async function run<T>(queue: string, job: PgBoss.Job<T>, body: (data: T) => Promise<unknown>): Promise<unknown> {
    const started = performance.now();
    observe({ queue, jobId: job.id, workerId: id, phase: "start", data: job.data });
    log.debug({ queue, jobId: job.id, data: job.data }, "job started");
    try {
      const result = await body(job.data);
      const durationMs = Math.round(performance.now() - started);
      // A sweep that found nothing is routine; everything else is worth a line.
      const routine = queue === QUEUES.sweep && (result as SweepResult).domains === 0 && (result as SweepResult).deliveries === 0;
      log[routine ? "debug" : "info"]({ queue, jobId: job.id, data: job.data, result, durationMs }, "job finished");
      observe({ queue, jobId: job.id, workerId: id, phase: "end", data: job.data, result });
      return result;
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      // Thrown errors are unexpected (database down, a bug): pg-boss retries the job with back-off.
      log.error({ queue, jobId: job.id, data: job.data, err: error, durationMs }, "job failed; it will be retried");
      observe({ queue, jobId: job.id, workerId: id, phase: "end", data: job.data, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  // One cache for all of this worker's checks: a re-check then asks only for the records themselves.
  const dnsCache = new DnsCache();
  /**
   * Registers a single-slot handler for `queue` (the sweep, retention). pg-boss waits the polling
   * interval after every fetch; a slot that just ran a job asks again at once instead.
   */
  async function serve<T extends object>(queue: string, body: (data: T, job: PgBoss.Job<T>) => Promise<unknown>): Promise<void> {
    let slot: string | null = null;
    slot = await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
      if (!job) return;
      try {
        return await run(queue, job, (data) => body(data, job));
      } finally {
        if (slot && state === "running") boss.notifyWorker(slot);
      }
    });
  }
  /**
   * The queues that run WORKER_CONCURRENCY jobs at once: fetched and completed several at a time
   * (lib/jobs/batch-worker.ts), each job in its own slot.
   */
  const batchWorkers: BatchWorker[] = [];
  function serveConcurrently<T extends object>(queue: string, body: (data: T, job: PgBoss.Job<T>) => Promise<unknown>): void {
    batchWorkers.push(
      startBatchWorker<T>(boss, {
        queue,
        concurrency: config.WORKER_CONCURRENCY,
        pollingIntervalMs: pollingIntervalSeconds * 1000,
        run: (job) => run(queue, job, (data) => body(data, job)),
        onError: (error) => log.warn({ err: describeBossError(error), queue }, "job queue error"),
      }),
    );
  }
  serveConcurrently<DomainCheckJob>(QUEUES.domainCheck, async ({ domainId }, job) => {
    log.debug({ queue: QUEUES.domainCheck, jobId: job.id, domainId }, "domain check started");
    return { domainId, result: await runScheduledCheck(db, domainId, config, { dnsCache }) };
  });
  serveConcurrently<WebhookDeliveryJob>(QUEUES.webhookDelivery, async ({ deliveryId }) => {
    const outcome = await attemptDelivery(db, deliveryId, webhookDependencies(config));
    if (outcome.outcome === "retry") {
      // The row holds the next attempt's time; if queueing fails the sweep queues it.
      await enqueueWebhookDelivery(deliveryId, outcome.nextAttemptAt).catch((error: unknown) =>
        log.warn({ err: error, deliveryId }, "could not queue the next webhook attempt; the job sweep will"),
      );
    }
    return { deliveryId, ...outcome };
  });
  serveConcurrently<TestMessageJob>(QUEUES.testMessage, async ({ testMessageId }) => ({
    testMessageId,
    ...(await deliverTestMessage(db, testMessageId, await deliveryDependencies(config))),
  }));
  await serve<object>(QUEUES.sweep, () => sweepDueWork(db, config));
  // The hourly retention job: received mail and refusals, then notifications and webhook deliveries.
  await serve<object>(QUEUES.mailRetention, async () => ({ ...(await pruneInboundMail(db, config)), ...(await pruneNotifications(db, config)) }));

  const heartbeat = await startHeartbeat({
    service: "job worker",
    // The beat also queues the sweep, so it comes at least as often as the sweep is due.
    intervalMs: Math.min(config.WORKER_HEARTBEAT_INTERVAL, config.JOB_SWEEP_INTERVAL),
    log,
    active: () => state === "running",
    beat: async (now) => {
      await db.workerHeartbeat.upsert({
        where: { id },
        create: { id, mode, host: os.hostname().slice(0, 255), pid: process.pid, startedAt, seenAt: now },
        update: { seenAt: now },
      });
      // At most one sweep per interval across all workers: the throttle is a unique index in pg-boss.
      const sweepSeconds = Math.max(1, Math.round(config.JOB_SWEEP_INTERVAL / 1000));
      await boss.sendThrottled(QUEUES.sweep, {}, {}, sweepSeconds, "sweep");
      // Retention runs at most once an hour across all workers (the same unique-index throttle).
      await boss.sendThrottled(QUEUES.mailRetention, {}, {}, 3600, "mail-retention");
    },
  });

  log.info({ mode, concurrency: config.WORKER_CONCURRENCY }, "job worker started");

  let stopping: Promise<void> | null = null;
  return {
    id,
    status: () => ({ id, mode, state, startedAt, lastHeartbeatAt: heartbeat.lastBeatAt() }),
    stop(timeoutMs = config.SHUTDOWN_TIMEOUT) {
      stopping ??= (async () => {
        state = "stopping";
        await heartbeat.stop();
        const started = performance.now();
        // Ours first (they complete what finished and hand back what is still running), then pg-boss's
        // own (the sweep, retention) with what is left of the one timeout.
        await Promise.all(batchWorkers.map((worker) => worker.stop(Math.max(1000, timeoutMs))));
        const left = timeoutMs - (performance.now() - started);
        try {
          await boss.stop({ graceful: true, timeout: Math.max(1000, left), close: true, wait: true });
        } catch (error) {
          log.warn({ err: describeBossError(error) }, "job queue did not stop cleanly");
        }
        releaseJobClient(boss);
        await db.workerHeartbeat.deleteMany({ where: { id } }).catch(() => undefined);
        state = "stopped";
        log.info({ durationMs: Math.round(performance.now() - started) }, "job worker stopped");
      })();
      return stopping;
    },
  };
}

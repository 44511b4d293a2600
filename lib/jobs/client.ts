import "server-only";

import PgBoss from "pg-boss";

import { getConfig, type AppConfig } from "@/lib/config/env";
import { log } from "@/lib/log";

import { ensureQueues, JOB_SCHEMA } from "./queues";
import { databaseUrl } from "@/lib/db/client";
import { namePgBossStatements } from "@/lib/db/prepared";

/**
 * The process's connection to the job queue, for sending jobs. A worker process lends its own
 * pg-boss instance; a web instance that runs no worker (WORKER_MODE=off) starts a small one that
 * only sends (no polling, no maintenance). Kept on globalThis so Next's dev reloads reuse it.
 */
interface JobClientSlot {
  url: string;
  boss: Promise<PgBoss>;
  /** Set when a worker lent its instance (it stops it itself); null for a sender started here. */
  lent: PgBoss | null;
}

const slotKey = Symbol.for("email-routing-console.job-client");
const globalSlot = globalThis as unknown as { [slotKey]?: JobClientSlot };

export function pgBossOptions(config: AppConfig, url: string, role: "sender" | "worker"): PgBoss.ConstructorOptions {
  // pg-boss hands these to pg.Pool; without a timeout a connection attempt to an unreachable
  // database would hang whoever is queueing a job (an admin's "Check now").
  const poolTimeouts = { connectionTimeoutMillis: 10_000 } as Record<string, unknown>;
  return {
    ...poolTimeouts,
    connectionString: url,
    schema: JOB_SCHEMA,
    application_name: role === "worker" ? "email-routing-worker" : "email-routing-web",
    // Each worker slot holds at most one connection while it fetches or completes a job, and only
    // briefly: a slot spends most of a check waiting for DNS. Capped so that two workers and the web
    // instances stay well inside PostgreSQL's default max_connections (100); a slot that finds the
    // pool busy waits a moment for its turn.
    max: role === "worker" ? Math.min(config.WORKER_CONCURRENCY * 2 + 2, 20) : 2,
    migrate: true,
    supervise: role === "worker",
    maintenanceIntervalSeconds: Math.max(1, Math.round(config.JOB_MAINTENANCE_INTERVAL / 1000)),
    // pg-boss's cron needs minute granularity; our sweep is a throttled job instead (see worker.ts).
    schedule: false,
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 7,
  };
}

export function describeBossError(error: unknown): Record<string, unknown> {
  const value = error as { message?: unknown; code?: unknown; queue?: unknown };
  return { message: typeof value?.message === "string" ? value.message : String(error), code: value?.code, queue: value?.queue };
}

/** The job queue, started on first use. Rejects when the database cannot be reached (callers fall back to the sweep). */
export function getJobClient(config: AppConfig = getConfig()): Promise<PgBoss> {
  const url = databaseUrl();
  const existing = globalSlot[slotKey];
  if (existing && existing.url === url) return existing.boss;
  const boss = new PgBoss(pgBossOptions(config, url, "sender"));
  namePgBossStatements(boss);
  // Without a listener an 'error' event (e.g. the database restarting) would crash the process.
  boss.on("error", (error) => log.warn({ err: describeBossError(error) }, "job queue connection error"));
  const started = (async () => {
    await boss.start();
    await ensureQueues(boss, config, url);
    return boss;
  })();
  const slot: JobClientSlot = { url, boss: started, lent: null };
  globalSlot[slotKey] = slot;
  started.catch(() => {
    // Forget a failed start so the next call tries again.
    if (globalSlot[slotKey] === slot) globalSlot[slotKey] = undefined;
    void boss.stop({ graceful: false }).catch(() => undefined);
  });
  return started;
}

/** A worker shares its own pg-boss instance with everything else in its process. */
export function lendJobClient(boss: PgBoss): void {
  const previous = globalSlot[slotKey];
  globalSlot[slotKey] = { url: databaseUrl(), boss: Promise.resolve(boss), lent: boss };
  if (previous && !previous.lent) void previous.boss.then((old) => old.stop({ graceful: false })).catch(() => undefined);
}

export function releaseJobClient(boss: PgBoss): void {
  if (globalSlot[slotKey]?.lent === boss) globalSlot[slotKey] = undefined;
}

/** Closes a sender started by getJobClient (workers stop their own instance). */
export async function stopJobClient(): Promise<void> {
  const slot = globalSlot[slotKey];
  if (!slot || slot.lent) return;
  globalSlot[slotKey] = undefined;
  const boss = await slot.boss.catch(() => null);
  await boss?.stop({ graceful: false }).catch(() => undefined);
}

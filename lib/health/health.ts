import "server-only";

import pg from "pg";

import type { AppConfig } from "@/lib/config/env";
import { getMigrationStatus } from "@/lib/db/migrate";
import { inProcessWorkerStatus } from "@/lib/worker/worker-state";
import { inProcessGateway } from "@/lib/mail/gateway-state";
import { configuredDatabaseUrl } from "@/lib/db/client";

/**
 * What /api/health reports to load balancers and operators: the database answers, its schema is
 * this code's, and a job worker is alive. No secrets, host names or connection strings: error
 * descriptions are fixed phrases.
 */
export type CheckStatus = "ok" | "fail";

export interface HealthReport {
  status: CheckStatus;
  checkedAt: string;
  durationMs: number;
  checks: {
    database: { status: CheckStatus; latencyMs?: number; error?: string };
    migrations: { status: CheckStatus; applied?: number; pending?: number; failed?: number; changed?: number; unknown?: number; error?: string };
    worker: { status: CheckStatus; mode: AppConfig["WORKER_MODE"]; alive?: number; lastHeartbeatAt?: string | null; error?: string };
    inbound: { status: CheckStatus; mode: AppConfig["INBOUND_MODE"]; port?: number | null; alive?: number; error?: string };
  };
}

const poolKey = Symbol.for("email-routing-console.health-pool");
const globalPools = globalThis as unknown as { [poolKey]?: { url: string; pool: pg.Pool } };

/**
 * A one-connection pool of its own with short timeouts: a health check must answer quickly when the
 * database is slow or gone, and must not queue behind the application's own pool.
 */
function healthPool(url: string, timeoutMs: number): pg.Pool {
  const existing = globalPools[poolKey];
  if (existing?.url === url) return existing.pool;
  void existing?.pool.end().catch(() => undefined);
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "email-routing-health",
  });
  // An idle connection dropped by the server emits 'error'; the next check reconnects.
  pool.on("error", () => undefined);
  globalPools[poolKey] = { url, pool };
  return pool;
}

export async function closeHealthPool(): Promise<void> {
  const existing = globalPools[poolKey];
  globalPools[poolKey] = undefined;
  await existing?.pool.end().catch(() => undefined);
}

function describeDatabaseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "28P01" || code === "28000") return "authentication failed";
  if (code === "3D000") return "database does not exist";
  if (code === "57P01" || code === "57P03") return "database is shutting down or starting";
  if (/timeout|timed out/i.test(message ?? "")) return "timed out";
  return "unavailable";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** How long a worker may go without a heartbeat before it counts as dead. */
export function heartbeatWindowMs(config: AppConfig): number {
  return 3 * Math.min(config.WORKER_HEARTBEAT_INTERVAL, config.JOB_SWEEP_INTERVAL) + 5_000;
}

export async function checkHealth(config: AppConfig, options: { url?: string; timeoutMs?: number; now?: Date } = {}): Promise<HealthReport> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? 2_000;
  const url = options.url ?? configuredDatabaseUrl();
  const checks: HealthReport["checks"] = {
    database: { status: "fail", error: "not configured" },
    migrations: { status: "fail", error: "database unavailable" },
    worker: { status: "fail", mode: config.WORKER_MODE, error: "database unavailable" },
    inbound: checkInboundLocally(config),
  };

  let client: pg.PoolClient | null = null;
  if (url) {
    try {
      const queryStarted = performance.now();
      client = await withTimeout(healthPool(url, timeoutMs).connect(), timeoutMs);
      await withTimeout(client.query("SELECT 1"), timeoutMs);
      checks.database = { status: "ok", latencyMs: Math.round(performance.now() - queryStarted) };
    } catch (error) {
      client?.release(true);
      client = null;
      checks.database = { status: "fail", error: describeDatabaseError(error) };
    }
  }

  if (client) {
    try {
      const status = await withTimeout(getMigrationStatus(client), timeoutMs);
      // Migrations unknown to this code are a newer release's, normal during a rolling deploy.
      const current = status.pending.length === 0 && status.failed.length === 0 && status.changed.length === 0;
      checks.migrations = {
        status: current ? "ok" : "fail",
        applied: status.applied.length,
        pending: status.pending.length,
        failed: status.failed.length,
        changed: status.changed.length,
        unknown: status.unknown.length,
        ...(current ? {} : { error: status.pending.length > 0 ? "migrations pending: run npm run db:migrate" : "migration history does not match this release" }),
      };
    } catch (error) {
      checks.migrations = { status: "fail", error: describeDatabaseError(error) };
    }
    checks.worker = await checkWorker(client, config, now, timeoutMs);
    checks.inbound = await countGateways(client, checks.inbound, config, now, timeoutMs);
    client.release();
  }

  const status: CheckStatus = Object.values(checks).every((check) => check.status === "ok") ? "ok" : "fail";
  return { status, checkedAt: now.toISOString(), durationMs: Math.round(performance.now() - started), checks };
}

async function checkWorker(client: pg.PoolClient, config: AppConfig, now: Date, timeoutMs: number): Promise<HealthReport["checks"]["worker"]> {
  const since = new Date(now.getTime() - heartbeatWindowMs(config));
  let alive: number;
  try {
    const result = await withTimeout(client.query<{ alive: number }>("SELECT count(*)::int AS alive FROM worker_heartbeats WHERE seen_at > $1", [since]), timeoutMs);
    alive = result.rows[0]?.alive ?? 0;
  } catch (error) {
    return { status: "fail", mode: config.WORKER_MODE, error: describeDatabaseError(error) };
  }
  if (config.WORKER_MODE === "off") {
    // This instance runs no worker; the console needs at least one `npm run worker` somewhere.
    return alive > 0 ? { status: "ok", mode: "off", alive } : { status: "fail", mode: "off", alive, error: "no job worker has reported in" };
  }
  const local = inProcessWorkerStatus();
  const heartbeat = local?.status?.lastHeartbeatAt ?? null;
  const base = { mode: config.WORKER_MODE, alive, lastHeartbeatAt: heartbeat?.toISOString() ?? null };
  if (!local || (!local.status && !local.starting)) return { status: "fail", ...base, error: "job worker not running" };
  if (!local.status) return { status: "fail", ...base, error: "job worker starting" };
  if (local.status.state !== "running") return { status: "fail", ...base, error: "job worker stopping" };
  if (!heartbeat || heartbeat < since) return { status: "fail", ...base, error: "job worker has not reported in" };
  return { status: "ok", ...base };
}

/**
 * The inbound SMTP gateway. In-process: this instance's gateway must be listening (it is one of
 * the MX hosts). Off: the gateways are other processes (`npm run inbound`, one per MX host); their
 * count is reported but does not fail this web instance, since a load balancer taking the console
 * out of rotation would not bring a gateway back.
 */
function checkInboundLocally(config: AppConfig): HealthReport["checks"]["inbound"] {
  if (config.INBOUND_MODE === "off") return { status: "ok", mode: "off" };
  const local = inProcessGateway();
  const status = local?.status() ?? null;
  if (!local) return { status: "fail", mode: "in-process", error: "inbound gateway not running" };
  if (!status) return { status: "fail", mode: "in-process", error: local.error ? `inbound gateway not listening: ${local.error}` : "inbound gateway starting" };
  if (status.state !== "listening") return { status: "fail", mode: "in-process", port: status.port, error: `inbound gateway ${status.state}` };
  return { status: "ok", mode: "in-process", port: status.port };
}

async function countGateways(
  client: pg.PoolClient,
  check: HealthReport["checks"]["inbound"],
  config: AppConfig,
  now: Date,
  timeoutMs: number,
): Promise<HealthReport["checks"]["inbound"]> {
  const since = new Date(now.getTime() - heartbeatWindowMs(config));
  try {
    const result = await withTimeout(client.query<{ alive: number }>("SELECT count(*)::int AS alive FROM inbound_gateway_heartbeats WHERE seen_at > $1", [since]), timeoutMs);
    return { ...check, alive: result.rows[0]?.alive ?? 0 };
  } catch {
    return check;
  }
}

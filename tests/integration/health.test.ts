import { afterAll, describe, expect, it } from "vitest";

import { GET as health } from "@/app/api/health/route";
import { closeHealthPool, checkHealth, type HealthReport } from "@/lib/health/health";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { findFreePort } from "@/lib/db/embedded-postgres";
import { startInProcessWorker } from "@/lib/worker/in-process";
import { startInProcessGateway } from "@/lib/mail/in-process";
import { runShutdownHooks } from "@/lib/runtime/shutdown";

import { configWith, eventually } from "../support/jobs";
import { startTestCluster, TEMPLATE_DATABASE } from "../support/postgres-cluster";

/**
 * /api/health as a load balancer sees it, against a PostgreSQL server of its own that the test
 * stops: the console's health must turn to 503 at once, explaining which check failed, without
 * giving away how to reach the database.
 */
const cluster = await startTestCluster();
const url = cluster.urlFor(TEMPLATE_DATABASE);
let clusterRunning = true;
Object.assign(process.env, {
  DATABASE_URL: url,
  WORKER_MODE: "in-process",
  WORKER_HEARTBEAT_INTERVAL: "1s",
  JOB_SWEEP_INTERVAL: "1s",
  JOB_POLL_INTERVAL: "500ms",
  SHUTDOWN_TIMEOUT: "2s",
  INBOUND_MODE: "in-process",
  INBOUND_SMTP_HOST: "127.0.0.1",
  INBOUND_SMTP_PORT: String(await findFreePort()),
  DATA_DIR: await mkdtemp(path.join(os.tmpdir(), "erc-health-")),
  // Nothing is resolved in this file; the gateway still must never be handed the system's resolver.
  DNS_RESOLVERS: "127.0.0.1:9",
});

afterAll(async () => {
  await runShutdownHooks("drain");
  await runShutdownHooks("close");
  await closeHealthPool();
  if (clusterRunning) await cluster.stop();
});

async function probe(): Promise<{ status: number; body: HealthReport; text: string }> {
  const response = await health();
  const text = await response.text();
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { status: response.status, body: JSON.parse(text) as HealthReport, text };
}

describe("/api/health", () => {
  it("is 503 until this instance's job worker and inbound gateway run, then 200 with every check", async () => {
    const before = await probe();
    expect(before.status).toBe(503);
    expect(before.body.checks).toMatchObject({
      database: { status: "ok" },
      migrations: { status: "ok", pending: 0 },
      worker: { status: "fail", mode: "in-process", error: "job worker not running" },
      inbound: { status: "fail", mode: "in-process", error: "inbound gateway not running", alive: 0 },
    });

    startInProcessWorker();
    startInProcessGateway();
    const healthy = await eventually("the worker to report in", async () => {
      const result = await probe();
      return result.status === 200 ? result : null;
    });
    expect(healthy.body).toMatchObject({
      status: "ok",
      checks: {
        database: { status: "ok", latencyMs: expect.any(Number) },
        migrations: { status: "ok" },
        worker: { status: "ok", alive: 1 },
        inbound: { status: "ok", mode: "in-process", port: Number(process.env.INBOUND_SMTP_PORT), alive: 1 },
      },
    });
  });

  it("is 503 while a migration is pending", async () => {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const [latest] = (await client.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`)).rows;
      await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [latest!.migration_name]);
      const result = await probe();
      expect(result.status).toBe(503);
      expect(result.body.checks.migrations).toMatchObject({ status: "fail", pending: 1, error: "migrations pending: run npm run db:migrate" });
      await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1`, [latest!.migration_name]);
      expect((await probe()).status).toBe(200);
    } finally {
      await client.end();
    }
  });

  it("on an instance without a worker, needs a separate worker to have reported in", async () => {
    const off = configWith({ WORKER_MODE: "off" });
    // The in-process worker of the test above counts as "some worker".
    expect((await checkHealth(off)).checks.worker).toEqual({ status: "ok", mode: "off", alive: 1 });
    const later = new Date(Date.now() + 60_000);
    expect((await checkHealth(off, { now: later })).checks.worker).toEqual({ status: "fail", mode: "off", alive: 0, error: "no job worker has reported in" });
  });

  it("on an instance without a gateway, counts the separate gateways but does not fail without one", async () => {
    const off = configWith({ INBOUND_MODE: "off" });
    // The in-process gateway of the first test counts as a gateway that reported in.
    expect((await checkHealth(off)).checks.inbound).toEqual({ status: "ok", mode: "off", alive: 1 });
    const later = new Date(Date.now() + 60_000);
    expect((await checkHealth(off, { now: later })).checks.inbound).toEqual({ status: "ok", mode: "off", alive: 0 });
  });

  it("turns 503 at once when the database stops, without revealing how to reach it", async () => {
    await cluster.stop();
    clusterRunning = false;
    const started = performance.now();
    const down = await probe();
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: "fail",
      checks: {
        database: { status: "fail", error: "connection refused" },
        migrations: { status: "fail" },
        worker: { status: "fail" },
      },
    });
    const port = new URL(url).port;
    for (const secret of ["test-password", "postgres://", "postgresql://", `:${port}`, "127.0.0.1"]) expect(down.text).not.toContain(secret);
  });
});

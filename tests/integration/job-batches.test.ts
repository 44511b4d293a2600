import PgBoss from "pg-boss";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { databaseUrl, getDb } from "@/lib/db/client";
import { startBatchWorker, wakeLocalWorkers, type BatchWorker } from "@/lib/jobs/batch-worker";
import { pgBossOptions } from "@/lib/jobs/client";
import { JOB_SCHEMA } from "@/lib/jobs/queues";

import { configWith, eventually } from "../support/jobs";

/**
 * The worker's concurrent queues (domain checks, webhook deliveries, test messages) fetch and
 * complete jobs several at a time (lib/jobs/batch-worker.ts). Real pg-boss on real PostgreSQL, on
 * queues of this file's own, with the same stately policy as the console's.
 */
const db = getDb();
const boss = new PgBoss(pgBossOptions(configWith(), databaseUrl(), "sender"));
boss.on("error", () => undefined);
await boss.start();

let queueCount = 0;
async function newQueue(options: { expireInSeconds?: number; retryLimit?: number } = {}): Promise<string> {
  const name = `batch-test-${++queueCount}`;
  await boss.createQueue(name, { name, policy: "stately", retryLimit: options.retryLimit ?? 2, retryDelay: 1, expireInSeconds: options.expireInSeconds ?? 60 });
  return name;
}

async function queue(name: string, keys: string[]): Promise<void> {
  await boss.insert(keys.map((key) => ({ name, data: { key }, singletonKey: key })));
}

const states = async (name: string) =>
  Object.fromEntries(
    (
      await db.$queryRawUnsafe<{ key: string; state: string; output: { message?: string } | null }[]>(
        `SELECT singleton_key AS key, state::text AS state, output FROM ${JOB_SCHEMA}.job WHERE name = $1`,
        name,
      )
    ).map((row) => [row.key, row]),
  );

const workers: BatchWorker[] = [];

/** A worker on `name` for one test (stopped after it); returns the keys of the jobs it started, in order. */
function serve(name: string, options: { concurrency: number; pollingIntervalMs: number; run?: (key: string) => Promise<void> }): string[] {
  const ran: string[] = [];
  workers.push(
    startBatchWorker<{ key: string }>(boss, {
      queue: name,
      concurrency: options.concurrency,
      pollingIntervalMs: options.pollingIntervalMs,
      onError: () => undefined,
      run: async (job) => {
        ran.push(job.data.key);
        await options.run?.(job.data.key);
      },
    }),
  );
  return ran;
}
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop(100)));
});
afterAll(async () => {
  await boss.stop({ graceful: false });
});

describe("a queue served in batches", () => {
  it("runs every job once, never more at a time than its slots, fetching several jobs per fetch, and completes them", async () => {
    const name = await newQueue();
    const keys = Array.from({ length: 24 }, (_, i) => `job-${i}`);
    await queue(name, keys);
    let fetches = 0;
    const counted = Object.create(boss) as PgBoss;
    counted.fetch = ((...args: Parameters<PgBoss["fetch"]>) => {
      fetches++;
      return boss.fetch(...args);
    }) as PgBoss["fetch"];
    const ran: string[] = [];
    let now = 0;
    let most = 0;
    workers.push(
      startBatchWorker<{ key: string }>(counted, {
        queue: name,
        concurrency: 8,
        pollingIntervalMs: 500,
        onError: (error) => {
          throw error;
        },
        run: async (job) => {
          now++;
          most = Math.max(most, now);
          ran.push(job.data.key);
          // The job's own work: a turn of the event loop or two, like a check waiting on DNS.
          await new Promise((resolve) => setTimeout(resolve, 10));
          now--;
        },
      }),
    );
    const done = await eventually("every job completed", async () => {
      const all = await states(name);
      return keys.every((key) => all[key]?.state === "completed") && all;
    });
    expect(Object.keys(done)).toHaveLength(24);
    expect([...ran].sort()).toEqual([...keys].sort());
    expect(most).toBeLessThanOrEqual(8);
    // One fetch a job would be 24 (plus the empty one at the end).
    expect(fetches).toBeLessThan(16);
  });

  it("fails a job that throws into retry, and hands out the slot of one that outlives its expiry", async () => {
    const name = await newQueue({ expireInSeconds: 1 });
    await queue(name, ["throws", "hangs"]);
    const ran = serve(name, {
      concurrency: 1,
      pollingIntervalMs: 500,
      run: async (key) => {
        if (key === "throws") throw new Error("the database went away");
        if (key === "hangs") await new Promise(() => undefined);
      },
    });
    const failed = await eventually("both jobs failed into retry", async () => {
      const all = await states(name);
      return all.throws?.state === "retry" && all.hangs?.state === "retry" && all;
    });
    expect(failed.throws?.output?.message).toBe("the database went away");
    expect(failed.hangs?.output?.message).toMatch(/exceeded/);
    // The one slot was handed on after the hung job's expiry: a job queued now still runs.
    await queue(name, ["after"]);
    await eventually("the job queued after the hung one ran", async () => ran.includes("after"));
  });

  it("on stop completes the jobs that finished and hands back the one still running", async () => {
    const name = await newQueue();
    await queue(name, ["quick", "slow"]);
    const started = new Set<string>();
    const worker = startBatchWorker<{ key: string }>(boss, {
      queue: name,
      concurrency: 2,
      pollingIntervalMs: 500,
      onError: () => undefined,
      run: async (job) => {
        started.add(job.data.key);
        if (job.data.key === "slow") await new Promise(() => undefined);
      },
    });
    await eventually("both jobs started", async () => started.size === 2);
    await worker.stop(200);
    const all = await states(name);
    expect(all.quick?.state).toBe("completed");
    expect(all.slow?.state).toBe("retry");
    expect(worker.running()).toBe(0);
  });

  it("fetches a job queued in its own process at once when told, not at its next poll", async () => {
    const name = await newQueue();
    // A poll interval longer than the wait below: only the wake-up can bring the job in time.
    const ran = serve(name, { concurrency: 4, pollingIntervalMs: 60_000 });
    // The worker's first fetch finds the queue empty; it now waits for its next poll.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await queue(name, ["sent-now"]);
    wakeLocalWorkers(name);
    await eventually("the job ran before the next poll", async () => ran.includes("sent-now"), 10_000);
  });
});

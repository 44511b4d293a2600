import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { stopJobClient } from "@/lib/jobs/client";
import { enqueueDomainCheck } from "@/lib/jobs/enqueue";
import { QUEUES } from "@/lib/jobs/queues";
import { startWorker, type JobEvent, type JobWorker } from "@/lib/worker/worker";

import { PLATFORM_TEST_ZONE, PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { startDnsWorld } from "../support/dns-server";
import { configWith, createCustomDomain, eventually, jobsFor } from "../support/jobs";

/**
 * Several workers on one database, as several app instances (or `npm run worker` processes) run
 * in production: real pg-boss, real PostgreSQL, real DNS servers on loopback, and for the crash
 * test a real child process running scripts/worker.ts that is killed with SIGKILL.
 */
const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });

// Short intervals so that an expired job is noticed in about a second, not minutes.
const testEnv = {
  DNS_RESOLVERS: world.resolvers.map((server) => `${server.host}:${server.port}`).join(","),
  DNS_TEST_AUTHORITATIVE_PORT: String(world.authoritativePort),
  DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
  DNS_TIMEOUT_MS: "300",
  DNS_DEADLINE_MS: "1000",
  WEBHOOK_TIMEOUT: "1s",
  JOB_EXPIRY: "3s",
  JOB_MAINTENANCE_INTERVAL: "1s",
  JOB_POLL_INTERVAL: "500ms",
  JOB_SWEEP_INTERVAL: "1s",
  WORKER_HEARTBEAT_INTERVAL: "1s",
  SHUTDOWN_TIMEOUT: "5s",
  WORKER_CONCURRENCY: "3",
};
Object.assign(process.env, testEnv);
const config = configWith();
const settings = PLATFORM_TEST_SETTINGS;

const running: JobWorker[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.stop(1000)));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  world.setDelay(0);
});
afterAll(async () => {
  await stopJobClient();
  await world.close();
});
beforeEach(async () => {
  await db.domain.deleteMany();
  await db.workerHeartbeat.deleteMany(); // a killed worker leaves its row behind
});

async function worker(onJob?: (event: JobEvent) => void, workerConfig = config): Promise<JobWorker> {
  const started = await startWorker({ config: workerConfig, mode: "separate", onJob });
  running.push(started);
  return started;
}

/** Makes every domain due now and queues its check, as a sweep or a schedule would. */
async function dueNow(domainIds: string[]): Promise<void> {
  const now = new Date();
  await db.domain.updateMany({ where: { id: { in: domainIds } }, data: { nextCheckAt: now } });
  await Promise.all(domainIds.map((id) => enqueueDomainCheck(id, now)));
}

/** A real `npm run worker` process; resolves once it has logged that it started. */
async function spawnWorkerProcess(): Promise<{ child: ChildProcess; lines: Record<string, unknown>[]; waitFor: (msg: string, match?: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>> }> {
  const root = process.cwd();
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(root, "scripts/worker.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...testEnv, NODE_ENV: "test", LOG_LEVEL: "debug", WORKER_CONCURRENCY: "1" },
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const waitFor = (msg: string, match: (line: Record<string, unknown>) => boolean = () => true) =>
    eventually(
      `"${msg}" from the worker process`,
      async () => {
        if (child.exitCode !== null) throw new Error(`worker process exited (${child.exitCode}): ${stderr}`);
        return lines.find((line) => line.msg === msg && match(line));
      },
      // A fresh process compiles the worker with tsx first: slow on a busy 2-core machine.
      60_000,
    );
  await waitFor("job worker started");
  return { child, lines, waitFor };
}

describe("two workers against one database", () => {
  it("never check the same domain at the same moment, and run each due check once", async () => {
    const domains = await Promise.all(Array.from({ length: 10 }, (_, index) => createCustomDomain(db, acme.id, `d${index}.acme.test`, settings)));
    const ids = domains.map((domain) => domain.id);
    // Each check takes a few round trips of 150 ms: long enough for overlaps to show if they could happen.
    world.setDelay(150);
    const events: JobEvent[] = [];
    // Jobs must not expire mid-check here (that is the crash test's subject): on a busy machine a
    // check can outlast the 3 s expiry the other tests use, and an expired job is rightly retried.
    const patient = configWith({ JOB_EXPIRY: "30s" });
    const [a, b] = await Promise.all([worker((event) => events.push(event), patient), worker((event) => events.push(event), patient)]);
    // Both instances queue every domain at once (a sweep on each, say): one job per domain survives.
    await Promise.all([dueNow(ids), dueNow(ids)]);
    // And while the first checks are running, both queue them again (a late sweep, an admin's schedule).
    await eventually("the first checks to start", async () => events.some((event) => event.phase === "start"));
    const queueAgain = () => Promise.all(ids.map((id) => enqueueDomainCheck(id, new Date())));
    await Promise.all([queueAgain(), queueAgain()]);

    await eventually(
      "every domain to be checked, with nothing left running",
      async () => {
        const jobs = (await Promise.all(ids.map((id) => jobsFor(db, QUEUES.domainCheck, id)))).flat();
        const checked = await db.domain.count({ where: { id: { in: ids }, lastCheckedAt: { not: null } } });
        // What is left queued is each domain's next check, a minute from now.
        const soon = Date.now() + 30_000;
        return checked === ids.length && jobs.every((job) => job.state === "completed" || (job.state === "created" && job.start_after.getTime() > soon));
      },
      30_000,
    );

    for (const id of ids) {
      const mine = events.filter((event) => (event.data as { domainId: string }).domainId === id);
      // Start/end pairs of one domain never interleave, whichever worker ran them.
      const phases = mine.map((event) => event.phase).join(",");
      expect(phases).toMatch(/^(start,end,?)+$/);
      // Checked once. Jobs queued while it ran were replaced by its next check (or, had one started, it would
      // have found the domain checked and its next check a minute away).
      const results = mine.filter((event) => event.phase === "end").map((event) => (event.result as { result: string }).result);
      expect(results.filter((result) => result === "checked")).toHaveLength(1);
      expect(results.every((result) => result === "checked" || result === "not_due")).toBe(true);
      expect(await db.domainCheck.count({ where: { domainId: id, trigger: "scheduled" } })).toBe(1);
    }
    const byWorker = new Set(events.filter((event) => event.phase === "start").map((event) => event.workerId));
    expect(byWorker).toEqual(new Set([a!.id, b!.id]));
    // Both report in for /api/health.
    expect(await db.workerHeartbeat.count()).toBe(2);
  });
});

describe("a worker that dies mid-check", () => {
  it("loses nothing: the domain a killed worker held is checked once by another worker", async () => {
    const domain = await createCustomDomain(db, acme.id, "crash.acme.test", settings);
    const victim = await spawnWorkerProcess();
    // Slow DNS keeps the check running long enough to be killed in the middle of it.
    world.setDelay(2_000);
    await dueNow([domain.id]);
    const started = await victim.waitFor("domain check started", (line) => line.domainId === domain.id);
    victim.child.kill("SIGKILL");
    await new Promise((resolve) => victim.child.once("exit", resolve));
    expect(await db.domainCheck.count({ where: { domainId: domain.id } })).toBe(0); // it died before recording

    world.setDelay(0);
    const events: JobEvent[] = [];
    const survivor = await worker((event) => events.push(event));
    // The killed job is handed back after its expiry and run to the end by the survivor. A sweep
    // may have queued a second job for the still-due domain meanwhile; the queue keeps one job per
    // domain and state, so pg-boss may settle the two into one. What must hold is the domain's:
    // the survivor checks it, exactly one check is recorded, and no job is left holding it.
    const finished = await eventually(
      "the survivor to check the domain the killed worker held",
      async () => events.find((event) => event.phase === "end" && event.queue === QUEUES.domainCheck && (event.data as { domainId?: string }).domainId === domain.id),
      60_000,
    ).catch(async (error: Error) => {
      // Say what the queue looked like, so a failure on a busy machine can be told from a lost job.
      const jobs = await jobsFor(db, QUEUES.domainCheck, domain.id);
      throw new Error(`${error.message}; killed job ${started.jobId}; jobs: ${JSON.stringify(jobs)}; survivor saw: ${JSON.stringify(events)}`);
    });
    expect(finished).toMatchObject({ workerId: survivor.id, result: { domainId: domain.id } });
    expect(["checked", "not_due"]).toContain((finished.result as { result: string }).result);
    await eventually("the domain's check to be recorded", async () => (await db.domain.findUniqueOrThrow({ where: { id: domain.id } })).lastCheckedAt !== null);
    expect(await db.domainCheck.count({ where: { domainId: domain.id, trigger: "scheduled" } })).toBe(1);
    await eventually("no job to hold the domain any more", async () => (await jobsFor(db, QUEUES.domainCheck, domain.id)).every((job) => job.state !== "active"), 30_000);
  }, 120_000);
});

describe("stopping a worker", () => {
  it("on SIGTERM finishes the running check, reports out and exits cleanly", async () => {
    const domain = await createCustomDomain(db, acme.id, "drain.acme.test", settings);
    const proc = await spawnWorkerProcess();
    expect(await db.workerHeartbeat.count()).toBe(1);
    world.setDelay(300);
    await dueNow([domain.id]);
    await proc.waitFor("domain check started", (line) => line.domainId === domain.id);
    proc.child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    expect(code).toBe(0);
    expect(await db.domainCheck.count({ where: { domainId: domain.id, trigger: "scheduled" } })).toBe(1);
    expect(proc.lines.map((line) => line.msg)).toEqual(expect.arrayContaining(["stopping the job worker", "job finished", "job worker stopped"]));
    expect(await db.workerHeartbeat.count()).toBe(0);
  }, 120_000);
});

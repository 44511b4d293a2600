/**
 * How fast do background workers re-check domains? Seeds verified custom domains (10,000 by
 * default) that are all due now, in a real embedded PostgreSQL, serves every one of them from
 * loopback DNS servers that add 50 ms to each reply, and times how long one worker and then two
 * workers (each its own process, as `npm run worker` runs them) take to re-check them all, at the
 * default WORKER_CONCURRENCY and at a higher one. Each figure is printed next to the workers' CPU
 * use (process.cpuUsage of the worker processes), PostgreSQL's and the DNS fixture's (from /proc:
 * all three share the machine's cores), and next to a baseline measured in the same run:
 * the rate the DNS alone would allow if each check cost one round trip (slots / round trip).
 *
 * Run: npx tsx bench/recheck.ts [--domains N] [--concurrency 16,32] [--workers 1,2] [--unsigned]
 * (default: WORKER_CONCURRENCY's default and twice it, one worker and then two; --unsigned: the
 * keys have no kept self-test message, so every check signs one, as a first check in six days does)
 * Profile the workers: RECHECK_CPU_PROF=<dir> writes each worker's V8 CPU profile there (node
 * --cpu-prof); `npx tsx bench/support/profile-summary.ts <dir> --checks N` says where the time went.
 * Prints figures; asserts nothing. Loopback only: the DNS fixture servers run in a child process
 * (their CPU is not billed to the workers) on 127.0.0.0/8, and DNS_RESOLVERS points at them.
 * Every loop is bounded; a run that does not finish within RUN_LIMIT_MS is reported as it stood.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

import type { ServerAddress } from "../lib/dns/servers";
import { Cleanups, EXEC_ARGV, percentile, rerunUnderReactServer, runMeasured } from "./support/run";

const DELAY_MS = 50;
const DEFAULT_DOMAINS = 10_000;
const RUN_LIMIT_MS = 5 * 60_000;
const SECRETS_KEY = Buffer.alloc(32, 7).toString("base64");
const PLATFORM = { spfInclude: "_spf.mail.routing.example", inbound: ["inbound-1.mail.routing.example", "inbound-2.mail.routing.example"] };

const script = fileURLToPath(import.meta.url);
const argValue = (flag: string): string | undefined => {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
};

interface FixtureRecord {
  name: string;
  type: "TXT" | "MX" | "A";
  data: string | { preference: number; exchange: string };
}

// ---- the DNS fixture process ---------------------------------------------------------------------

async function serveDns(): Promise<void> {
  const { startDnsWorld } = await import("../tests/support/dns-server");
  const received = await new Promise<{ zones: string[]; records: FixtureRecord[] }>((resolve) => process.once("message", (m) => resolve(m as never)));
  const world = await startDnsWorld({
    zones: [
      {
        origin: "routing.example",
        records: [
          { name: PLATFORM.spfInclude, type: "TXT", data: "v=spf1 ip4:192.0.2.0/24 ~all" },
          ...PLATFORM.inbound.map((name, i) => ({ name, type: "A" as const, data: `127.0.0.${50 + i}` })),
        ],
      },
      ...received.zones.map((origin) => ({ origin })),
    ],
    nameserverZone: "routing.example",
    delayMs: DELAY_MS,
  });
  world.publish(...(received.records as never[]));
  const stop = (): void => void world.close().then(() => process.exit(0));
  process.on("disconnect", stop);
  process.on("message", (message) => message === "close" && stop());
  setTimeout(stop, 30 * 60_000).unref(); // never outlive a stuck parent for long
  process.send?.({ resolvers: world.resolvers, authoritativePort: world.authoritativePort });
}

// ---- a worker process -----------------------------------------------------------------------------

async function runWorker(): Promise<void> {
  const { loadConfig } = await import("../lib/config/env");
  const { startWorker } = await import("../lib/worker/worker");
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(`invalid configuration: ${JSON.stringify(loaded.problems)}`);
  const worker = await startWorker({ config: loaded.config, mode: "separate" });
  const before = process.cpuUsage();
  process.on("message", (message) => {
    if (message !== "stop") return;
    const cpu = process.cpuUsage(before);
    void worker.stop(5_000).then(() => {
      process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
    });
  });
  process.on("disconnect", () => void worker.stop(2_000).then(() => process.exit(0)));
  process.send?.({ ready: true });
}

// ---- the measuring process ------------------------------------------------------------------------

const CLOCK_TICKS_PER_SECOND = 100; // Linux's USER_HZ

/** A process's CPU time in ms from /proc (utime, stime and, with `reaped`, its waited-for children's). */
function procCpuMs(pid: number, { reaped = false } = {}): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    const ticks = fields[11]! + fields[12]! + (reaped ? fields[13]! + fields[14]! : 0);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0; // gone
  }
}

/**
 * PostgreSQL's CPU so far: the postmaster, its live processes, and the backends that have exited
 * (the postmaster waits for them, so their time is in its children's total). Linux only; 0 elsewhere.
 */
function postgresCpuMs(postmasterPid: number): number {
  let total = procCpuMs(postmasterPid, { reaped: true });
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === postmasterPid) total += procCpuMs(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

const cleanups = new Cleanups();

function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what}: the process exited (${code})`));
    child.once("exit", onExit);
    child.once("message", (message) => {
      child.off("exit", onExit);
      resolve(message as T);
    });
  });
}

async function main(): Promise<void> {
  const domains = Number(argValue("--domains") ?? DEFAULT_DOMAINS);
  // The default, and twice it: whether more slots still help.
  const { DEFAULT_WORKER_CONCURRENCY } = await import("../lib/config/env");
  const concurrencies = (argValue("--concurrency") ?? `${DEFAULT_WORKER_CONCURRENCY},${DEFAULT_WORKER_CONCURRENCY * 2}`).split(",").map(Number);
  const workerCounts = (argValue("--workers") ?? "1,2").split(",").map(Number);
  const { lookup } = await import("../lib/dns/lookup");
  const { loopbackDnsEnv } = await import("../tests/support/dns-server");
  const { startTestCluster, createDatabaseFromTemplate, databaseUrl } = await import("../tests/support/postgres-cluster");

  console.log(`Machine: ${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

  const cluster = await startTestCluster();
  cleanups.push(() => cluster.stop());
  await createDatabaseFromTemplate(cluster.adminUrl, "erc_bench");
  const url = databaseUrl(cluster.adminUrl, "erc_bench");
  Object.assign(process.env, { DATABASE_URL: url, SECRETS_KEY, LOG_LEVEL: "silent" });

  const { getDb, disconnectDb } = await import("../lib/db/client");
  const { generateDkimKey, openPrivateKey } = await import("../lib/domains/dkim/keys");
  const { signTestMessage } = await import("../lib/domains/dkim/self-test");
  const { buildExpectedRecords, storedFromExpected } = await import("../lib/domains/expected-records");
  const { platformSettings } = await import("../lib/domains/settings");
  const { loadConfig } = await import("../lib/config/env");
  const { getJobClient, stopJobClient } = await import("../lib/jobs/client");
  const { QUEUES } = await import("../lib/jobs/queues");
  cleanups.push(() => disconnectDb());
  cleanups.push(() => stopJobClient());

  // ---- seed: verified domains, each its own zone, all due now ----------------------------------
  // A verified domain has passed a check within the last CHECK_VERIFIED_INTERVAL, and that check
  // kept its key's signed self-test message (reused for six days): seeded so. --unsigned seeds none,
  // so every check also signs, as a domain's first check in six days does.
  const unsigned = process.argv.includes("--unsigned");
  console.log(`Seeding ${domains.toLocaleString("en")} verified domains, due now, ${unsigned ? "without" : "with"} their keys' signed self-test messages …`);
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error("invalid configuration");
  const settings = platformSettings(loaded.config);
  const db = getDb();
  const org = await db.organization.create({ data: { name: "Bench", slug: "bench", licences: ["Genesys Cloud CX 3"] } });
  const dkim = await generateDkimKey(SECRETS_KEY);
  const privateKeyPem = openPrivateKey(dkim.privateKeySealed, SECRETS_KEY)!;
  const now = new Date();
  const published: FixtureRecord[] = [];
  const zones: string[] = [];
  const ids: string[] = [];
  for (let start = 0; start < domains; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, domains - start) }, (_, i) => {
      const name = `d${String(start + i).padStart(5, "0")}.recheck.test`;
      return { id: randomUUID(), dkimKeyId: randomUUID(), name, ownershipToken: `token-${start + i}` };
    });
    await db.domain.createMany({
      data: batch.map((d) => ({
        id: d.id,
        organizationId: org.id,
        kind: "custom" as const,
        scenario: "own_domain" as const,
        name: d.name,
        displayName: d.name,
        ownershipToken: d.ownershipToken,
        status: "verified" as const,
        statusChangedAt: now,
        verificationStartedAt: now,
        verifiedAt: now,
        nextCheckAt: now,
      })),
    });
    const signed = unsigned
      ? []
      : await Promise.all(batch.map((d) => signTestMessage({ domain: d.name, selector: settings.dkimSelector, privateKeyPem }, now)));
    await db.dkimKey.createMany({
      data: batch.map((d, i) => ({
        id: d.dkimKeyId,
        domainId: d.id,
        selector: settings.dkimSelector,
        publicKey: dkim.publicKey,
        privateKeySealed: dkim.privateKeySealed,
        state: "active" as const,
        activatedAt: now,
        selfTestMessage: signed[i]?.message ?? null,
        selfTestSignedAt: signed[i]?.signedAt ?? null,
      })),
    });
    const rows = batch.flatMap((d) => {
      const expected = buildExpectedRecords({ name: d.name, ownershipToken: d.ownershipToken, dkimSelector: settings.dkimSelector, dkimPublicKey: dkim.publicKey }, settings);
      zones.push(d.name);
      for (const record of expected) {
        if (record.kind === "mx") published.push({ name: record.name, type: "MX", data: { preference: record.preference, exchange: record.exchange } });
        else published.push({ name: record.name, type: "TXT", data: record.value });
      }
      return expected.map((record, position) => ({ domainId: d.id, ...storedFromExpected(record, position), ...(record.kind === "dkim" ? { dkimKeyId: d.dkimKeyId } : {}) }));
    });
    await db.domainRecord.createMany({ data: rows });
    ids.push(...batch.map((d) => d.id));
  }

  // ---- the DNS every domain's check will ask, in its own process ------------------------------
  const fixture = fork(script, ["--serve-dns"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  cleanups.push(async () => {
    if (fixture.connected) fixture.send("close");
  });
  fixture.send({ zones, records: published });
  const served = await nextMessage<{ resolvers: ServerAddress[]; authoritativePort: number }>(fixture, "DNS fixture");
  const dnsEnv = loopbackDnsEnv(served);
  Object.assign(process.env, dnsEnv);
  const resolver = served.resolvers[0];
  if (!resolver) throw new Error("the DNS fixture sent no resolver");

  const rtts: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const started = performance.now();
    const outcome = await lookup(resolver, `_email-routing.d00000.recheck.test`, "TXT", { timeoutMs: 2000, retries: 0, recursive: true });
    rtts.push(performance.now() - started);
    if (outcome.kind !== "answer") throw new Error(`baseline query failed: ${outcome.kind}`);
  }
  const rtt = percentile(rtts, 0.5);
  console.log(`One DNS round trip (baseline, median of 10): ${rtt.toFixed(1)} ms`);

  // PostgreSQL's CPU is measured from its postmaster: the parent of the backend serving us.
  const backend = await db.$queryRawUnsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid");
  const backendStat = readFileSync(`/proc/${backend[0]!.pid}/stat`, "utf8");
  const postmasterPid = Number(backendStat.slice(backendStat.lastIndexOf(")") + 2).split(" ")[1]);

  // The queue's tables exist once a pg-boss client has started (the sender installs them too).
  const boss = await getJobClient(loaded.config);

  const results: string[] = [];
  for (const concurrency of concurrencies) {
    for (const workers of workerCounts) {
      // Every domain due again, with its job, before the workers start asking.
      await db.domain.updateMany({ where: { organizationId: org.id }, data: { nextCheckAt: new Date(), lastCheckedAt: null } });
      // Each run as cold as the first: the previous run kept a signed message for every key.
      if (unsigned) await db.dkimKey.updateMany({ data: { selfTestMessage: null, selfTestSignedAt: null } });
      await boss.getDb().executeSql(`DELETE FROM pgboss.job WHERE name = $1`, [QUEUES.domainCheck]);
      for (let start = 0; start < ids.length; start += 1000) {
        await boss.insert(ids.slice(start, start + 1000).map((domainId) => ({ name: QUEUES.domainCheck, data: { domainId }, singletonKey: domainId })));
      }
      // A database in service has its statistics and visibility maps kept up by autovacuum. Freshly
      // seeded (or reset) tables have neither: the first run would otherwise also pay for setting
      // 10,000s of rows' hint bits and for plans made without statistics (about 7 ms of PostgreSQL's
      // CPU a check more than the same run second). Not timed.
      await db.$executeRawUnsafe("VACUUM (ANALYZE)");

      const env = { ...process.env, ...dnsEnv, WORKER_CONCURRENCY: String(concurrency), WORKER_MODE: "off", INBOUND_MODE: "off" };
      const children = Array.from({ length: workers }, () => fork(script, ["--worker"], { execArgv: [...EXEC_ARGV, ...(process.env.RECHECK_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.RECHECK_CPU_PROF}`] : [])], env, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
      cleanups.push(async () => children.forEach((child) => child.connected && child.kill()));
      await Promise.all(children.map((child) => nextMessage(child, "worker start")));
      const started = performance.now();
      const runStartedAt = new Date();
      const pgCpuBefore = postgresCpuMs(postmasterPid);
      const dnsCpuBefore = procCpuMs(fixture.pid!);
      let checked = 0;
      while (checked < domains && performance.now() - started < RUN_LIMIT_MS) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        checked = await db.domain.count({ where: { organizationId: org.id, lastCheckedAt: { not: null } } });
      }
      const elapsed = (performance.now() - started) / 1000;
      const pgCpu = postgresCpuMs(postmasterPid) - pgCpuBefore;
      const dnsCpu = procCpuMs(fixture.pid!) - dnsCpuBefore;
      const load = os.loadavg()[0]!;
      const cpu = await Promise.all(
        children.map(async (child) => {
          const reply = nextMessage<{ cpuMs: number }>(child, "worker stop");
          child.send("stop");
          return (await reply).cpuMs;
        }),
      );
      // A worker writes its CPU profile (RECHECK_CPU_PROF) as it exits: let it finish before going on.
      await Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => child.once("exit", resolve)))));
      const verified = await db.domain.count({ where: { organizationId: org.id, status: "verified" } });
      const timings = await db.$queryRawUnsafe<{ dns: number; queries: number }[]>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (report->>'durationMs')::float) AS dns,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY (report->>'queries')::float) AS queries
           FROM domain_checks WHERE started_at >= $1`,
        runStartedAt,
      );
      const jobs = await db.$queryRawUnsafe<{ job: number }[]>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_on - started_on) * 1000) AS job
           FROM pgboss.job WHERE name = $1 AND state = 'completed' AND started_on >= $2`,
        QUEUES.domainCheck,
        runStartedAt,
      );
      const rate = checked / elapsed;
      const ceiling = (workers * concurrency * 1000) / rtt;
      const cpuShare = cpu.map((ms) => `${((ms / 1000 / elapsed) * 100).toFixed(0)}%`).join(" + ");
      const cpuPerCheck = cpu.reduce((a, b) => a + b, 0) / Math.max(1, checked);
      const line = [
        `${workers} worker${workers > 1 ? "s" : " "} × ${String(concurrency).padStart(2)} slots`,
        `${String(checked).padStart(6)} checks in ${elapsed.toFixed(1).padStart(6)} s = ${rate.toFixed(1).padStart(6)} checks/s`,
        `CPU ${cpuShare.padEnd(11)} (${cpuPerCheck.toFixed(1)} ms a check)`,
        `PostgreSQL ${((pgCpu / 1000 / elapsed) * 100).toFixed(0)}% (${(pgCpu / Math.max(1, checked)).toFixed(1)} ms a check)`,
        `DNS fixture ${((dnsCpu / 1000 / elapsed) * 100).toFixed(0)}% (${(dnsCpu / Math.max(1, checked)).toFixed(1)} ms)`,
        `median job ${Number(jobs[0]?.job ?? 0).toFixed(0)} ms, of which DNS check ${Number(timings[0]?.dns ?? 0).toFixed(0)} ms (${Number(timings[0]?.queries ?? 0).toFixed(0)} queries)`,
        `| one-round-trip ceiling ${ceiling.toFixed(0).padStart(4)}/s: ×${(rate / ceiling).toFixed(2)}`,
        `| target ≥ 100/s: ${rate >= 100 ? "met" : "NOT met"}`,
        `| load ${load.toFixed(1)}`,
        checked < domains ? `(stopped at the ${RUN_LIMIT_MS / 60_000}-minute limit)` : verified < domains ? `(${domains - verified} not verified)` : "",
      ].join("  ");
      console.log(line);
      results.push(line);
    }
  }
}

if (process.argv.includes("--serve-dns")) void serveDns();
else if (process.argv.includes("--worker")) void runWorker();
else if (process.env.ERC_BENCH_CHILD) void runMeasured(main, cleanups, 45);
else rerunUnderReactServer(script, { ERC_BENCH_CHILD: "1" }, process.argv.slice(2));

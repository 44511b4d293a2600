/**
 * How much mail does the inbound gateway take? Starts its own PostgreSQL — durable (fsync and
 * synchronous commit on, as in production: every 250 waits for a COMMIT) — seeds 100,000 routes
 * over four verified custom domains and two platform labels of two organisations, and a loopback
 * DNS world where the senders' domains publish SPF, DKIM and DMARC. Then 20 concurrent SMTP
 * clients send the same 10 KB messages, each to one routed address picked at random:
 *   1. to a bare smtp-server with the gateway's protocol options whose onData drains and discards
 *      the stream and answers 250 (the library's own ceiling), and
 *   2. to the gateway (lib/mail/gateway.ts): routing, SPF/DKIM/DMARC by mailauth, one transaction.
 *      The first address on each domain is looked up in the database and makes the gateway read
 *      that domain's routes in the background (lib/mail/route-cache.ts); later addresses — 2,200
 *      among 100,000 routes, nearly all seen for the first time — are decided from those tables.
 * It prints messages/s and their ratio, the routing decision p50/p99 (timed inside the gateway
 * around RCPT TO's resolution, through startGateway's onRecipientDecided), the DATA end → 250
 * p50/p99 the clients saw, the CPU each process used, and whether the targets are met
 * (≥ 0.5× the discard ceiling; routing decision p99 ≤ 2 ms). The same pair runs again with a
 * sender domain that publishes nothing (unsigned mail: every lookup is NXDOMAIN or NODATA). Last,
 * the scheduling floor: what ~0.05 ms of synchronous work takes in the gateway process at p99.
 *
 * Processes: the server under test (gateway or discard server) runs alone in a child process, as
 * `npm run inbound` does on an MX host; the 20 clients run in another child process, so their CPU
 * is not billed to the server; this process holds the DNS servers (elsewhere in real life) and
 * orchestrates. Each client sends 10 messages per connection (a sending MTA reuses connections
 * while it has a queue for us), then reconnects.
 *
 * Every pair runs twice: with one server process of each kind, then with two (one per core of a
 * 2-core MX host; the clients' connections alternate between them, as a sending MTA spreads its
 * connections over MX hosts of equal preference). ERC_BENCH_INSTANCES=1,2 picks the counts.
 * Ratios move by a fifth or more from one run to the next on a shared machine:
 * ERC_BENCH_ROUNDS=5 runs every pair five times (discard servers, then gateways, fresh processes
 * each time), lists each round's figures and shows the round with the median ratio in full.
 *
 * Run: npx tsx bench/inbound.ts      ERC_BENCH_MESSAGES sets the measured count (default 2,000).
 * Prints figures; asserts nothing. Loopback only; bounded loops; stops itself after 20 minutes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Cleanups, EXEC_ARGV, percentile, rerunUnderReactServer, ROOT, runMeasured } from "./support/run";

const SCRIPT = fileURLToPath(import.meta.url);
const ROUTES = 100_000;
const CLIENTS = 20;
const WARM_UP = 200;
const MESSAGES = Number(process.env.ERC_BENCH_MESSAGES ?? 2_000);
const MESSAGE_BYTES = 10 * 1024;
const MESSAGES_PER_CONNECTION = 10;
/** Times each pair runs, fresh processes each time (ERC_BENCH_ROUNDS): the table shows the round with the median ratio. */
const ROUNDS = Math.max(1, Math.floor(Number(process.env.ERC_BENCH_ROUNDS ?? 1)) || 1);
/** Server processes per run: one, then one per core of a 2-core MX host (ERC_BENCH_INSTANCES=1,2). */
const INSTANCES = (process.env.ERC_BENCH_INSTANCES ?? "1,2").split(",").map(Number).filter((count) => Number.isInteger(count) && count > 0);
const SENDER_DOMAINS = ["shop.sender1.test", "sender2.test", "news.sender3.test", "sender4.test"];
const PLAIN_DOMAIN = "plain.test";
const TARGET_RATIO = 0.5;
const TARGET_ROUTING_P99_MS = 2;

// ---- small helpers shared by every role -------------------------------------------------------

interface Cpu {
  user: number;
  system: number;
}

const seconds = (cpu: Cpu) => (cpu.user + cpu.system) / 1e6;

type Handlers = Record<string, (args: never) => Promise<unknown>>;

/** A child's side of the IPC: answers `{ id, op, args }` with `{ id, result | error }`. */
function serveRequests(handlers: Handlers): void {
  process.on("message", (message: { id: number; op: string; args?: unknown }) => {
    const handler = handlers[message.op];
    if (!handler) return void process.send?.({ id: message.id, error: `unknown op ${message.op}` });
    handler(message.args as never).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // Never outlive the orchestrator.
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true });
}

interface Child {
  process: ChildProcess;
  call<T>(op: string, args?: unknown): Promise<T>;
}

async function startChild(role: string, env: Record<string, string>, quiet = false): Promise<Child> {
  const child = fork(SCRIPT, [], {
    cwd: ROOT,
    // ERC_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server processes there (node --cpu-prof).
    execArgv: process.env.ERC_BENCH_CPU_PROF && role !== "clients" ? [...EXEC_ARGV, "--cpu-prof", `--cpu-prof-dir=${process.env.ERC_BENCH_CPU_PROF}`] : EXEC_ARGV,
    env: { ...process.env, ...env, ERC_BENCH_ROLE: role },
    // The gateway logs a line per message on stdout, as in production; nobody reads it here.
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit", "ipc"],
  });
  let sequence = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (message: { ready?: true; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) return resolve();
      const waiter = pending.get(message.id ?? -1);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(`${role}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    child.once("exit", (code, signal) => {
      const error = new Error(`the ${role} process exited (${code ?? signal})`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  await ready;
  return {
    process: child,
    call: <T>(op: string, args?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = ++sequence;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, op, args });
      }),
  };
}

async function stopChild(child: Child): Promise<void> {
  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  await child.call("stop").catch(() => undefined);
  child.process.disconnect();
  await exited;
}

/** Stops what the run started (children, database, DNS) even when the watchdog ends it early. */
const cleanups = new Cleanups();

// ---- role: the server under test (gateway or discard) ----------------------------------------

async function serverRole(kind: "gateway" | "discard"): Promise<void> {
  const { loadConfig } = await import("../lib/config/env");
  const { gatewayHostname, protocolOptions, startGateway } = await import("../lib/mail/gateway");
  const { loadTlsFiles } = await import("../lib/mail/tls");
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(`configuration is invalid: ${JSON.stringify(loaded.problems)}`);
  const config = loaded.config;
  const decisions: number[] = [];
  let port: number;
  let stop: () => Promise<void>;
  if (kind === "gateway") {
    const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0, onRecipientDecided: (ms) => decisions.push(ms) });
    port = gateway.port;
    stop = () => gateway.stop(5_000);
  } else {
    const { SMTPServer } = await import("smtp-server");
    const hostname = gatewayHostname(config);
    const tls = await loadTlsFiles({ dataDir: path.resolve(config.DATA_DIR), hostname });
    const server = new SMTPServer({
      ...protocolOptions(config, hostname, tls),
      onData(stream, _session, callback) {
        stream.resume();
        stream.once("end", () => callback(null, "2.0.0 Ok: discarded"));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.server.address();
    port = typeof address === "object" && address ? address.port : 0;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }
  serveRequests({
    port: async () => port,
    floor: async () => schedulingFloor(),
    /** CPU so far, and the routing decisions since the last snapshot (the warm-up's are dropped). */
    snapshot: async () => ({ cpu: process.cpuUsage(), decisions: decisions.splice(0) }),
    stop: async () => {
      await stop();
      const { disconnectDb } = await import("../lib/db/client");
      await disconnectDb().catch(() => undefined);
      setImmediate(() => process.exit(0));
    },
  });
}

/**
 * How long ~0.05 ms of synchronous work (300 lookups in a Map of 100,000 addresses, what a routing
 * decision from memory costs) takes end to end in this process: on a shared machine the process
 * is preempted now and then, and every latency measured inside a process carries that. The floor
 * under the routing decision's p99.
 */
async function schedulingFloor(): Promise<number[]> {
  const map = new Map<string, number>();
  for (let index = 0; index < 100_000; index++) map.set(`agent${index}@floor.test`, index);
  const samples: number[] = [];
  let sum = 0;
  for (let round = 0; round < 2_000; round++) {
    const started = performance.now();
    for (let lookup = 0; lookup < 300; lookup++) sum += map.get(`agent${(round * 7 + lookup) % 100_000}@floor.test`)!;
    samples.push(performance.now() - started);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sum >= 0 ? samples : [];
}

// ---- role: the 20 SMTP clients ----------------------------------------------------------------

interface Outgoing {
  from: string;
  to: string;
  /** DATA as sent: dot-stuffed, with the final dot. */
  payload: Buffer;
}

interface PrepareArgs {
  senders: { domain: string; privateKey: string }[];
  recipientDomains: string[];
  routes: number;
  count: number;
}

interface RoundResult {
  wallMs: number;
  sent: number;
  accepted: number;
  failures: number;
  firstFailure: string | null;
  rcptMs: number[];
  dataMs: number[];
  cpu: Cpu;
}

/** A deterministic sequence (mulberry32), so every run sends to the same addresses. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function body(seed: number): string {
  const words = ["order", "delivery", "invoice", "parcel", "refund", "account", "address", "thanks", "please", "tracking", "number", "week"];
  const next = random(seed);
  const lines: string[] = [];
  let size = 0;
  while (size < MESSAGE_BYTES) {
    let line = "";
    while (line.length < 70) line += `${words[Math.floor(next() * words.length)]} `;
    lines.push(line.trimEnd());
    size += line.length + 1;
  }
  return lines.join("\r\n");
}

async function clientsRole(): Promise<void> {
  const { dkimSign } = await import("mailauth");
  const { dataPayload, SmtpClient } = await import("../tests/support/smtp");
  const sets = new Map<string, Outgoing[]>();

  async function build(args: PrepareArgs, signed: boolean): Promise<Outgoing[]> {
    const pick = random(42);
    const out: Outgoing[] = [];
    for (let index = 0; index < args.count; index++) {
      const routeNumber = 1 + Math.floor(pick() * args.routes);
      const to = `agent${routeNumber}@${args.recipientDomains[routeNumber % args.recipientDomains.length]}`;
      const sender = signed ? args.senders[index % args.senders.length]! : null;
      const from = `customer${index}@${sender ? sender.domain : PLAIN_DOMAIN}`;
      const headers = [
        `From: Customer ${index} <${from}>`,
        `To: <${to}>`,
        `Subject: Order ${100_000 + index}: where is my parcel?`,
        `Date: ${new Date(Date.UTC(2026, 11, 1, 10, 0, index % 60)).toUTCString().replace(/GMT$/, "+0000")}`,
        `Message-ID: <bench-${signed ? "s" : "p"}-${index}@${sender ? sender.domain : PLAIN_DOMAIN}>`,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
      ];
      const text = body(index).slice(0, MESSAGE_BYTES - headers.join("\r\n").length - 6);
      let raw = Buffer.from(`${headers.join("\r\n")}\r\n\r\n${text}\r\n`, "utf8");
      if (sender) {
        // mailauth 4.13 signs what signatureData lists (its typings ask for top-level fields it ignores).
        const options = { signatureData: [{ signingDomain: sender.domain, selector: "s1", privateKey: sender.privateKey }] };
        const signature = await dkimSign(raw, options as unknown as Parameters<typeof dkimSign>[1]);
        raw = Buffer.concat([Buffer.from(signature.signatures, "utf8"), raw]);
      }
      out.push({ from, to, payload: dataPayload(raw) });
    }
    return out;
  }

  /** Each connection goes to the next of `ports` in turn, as a sending MTA spreads over MX hosts of equal preference. */
  async function round(ports: readonly number[], items: readonly Outgoing[]): Promise<RoundResult> {
    const rcptMs: number[] = [];
    const dataMs: number[] = [];
    let next = 0;
    let connections = 0;
    let accepted = 0;
    let failures = 0;
    let firstFailure: string | null = null;
    const fail = (what: string) => {
      failures++;
      firstFailure ??= what;
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < items.length) {
          const { client } = await SmtpClient.connect(ports[connections++ % ports.length]!);
          try {
            const ehlo = await client.send("EHLO client.bench.test");
            if (ehlo.code !== 250) throw new Error(`EHLO: ${ehlo.code} ${ehlo.text}`);
            for (let sent = 0; sent < MESSAGES_PER_CONNECTION && next < items.length; sent++) {
              const item = items[next++]!;
              const mail = await client.send(`MAIL FROM:<${item.from}>`);
              if (mail.code !== 250) {
                fail(`MAIL FROM: ${mail.code} ${mail.text}`);
                await client.send("RSET");
                continue;
              }
              let t = performance.now();
              const rcpt = await client.send(`RCPT TO:<${item.to}>`);
              rcptMs.push(performance.now() - t);
              if (rcpt.code !== 250) {
                fail(`RCPT TO:<${item.to}>: ${rcpt.code} ${rcpt.text}`);
                await client.send("RSET");
                continue;
              }
              const go = await client.send("DATA");
              if (go.code !== 354) {
                fail(`DATA: ${go.code} ${go.text}`);
                continue;
              }
              t = performance.now();
              client.write(item.payload);
              const done = await client.reply();
              dataMs.push(performance.now() - t);
              if (done.code === 250) accepted++;
              else fail(`end of DATA: ${done.code} ${done.text}`);
            }
            await client.send("QUIT").catch(() => undefined);
          } finally {
            client.close();
          }
        }
      }),
    );
    const wallMs = performance.now() - started;
    return { wallMs, sent: items.length, accepted, failures, firstFailure, rcptMs, dataMs, cpu: process.cpuUsage(cpuBefore) };
  }

  serveRequests({
    prepare: async (args: PrepareArgs) => {
      sets.set("records", await build(args, true));
      sets.set("plain", await build(args, false));
      const sizes = sets.get("records")!.map((item) => item.payload.length);
      return { minBytes: Math.min(...sizes), maxBytes: Math.max(...sizes) };
    },
    round: async ({ ports, set, warmUp }: { ports: number[]; set: string; warmUp: boolean }) => {
      const items = sets.get(set);
      if (!items) throw new Error(`no message set ${set}`);
      return round(ports, warmUp ? items.slice(0, WARM_UP) : items.slice(WARM_UP));
    },
    stop: async () => setImmediate(() => process.exit(0)),
  });
}

// ---- the orchestrator -------------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds of the PostgreSQL server listening on `port`: the postmaster, reaped backends, live backends. */
function postgresCpuSeconds(port: number): number {
  const stat = (pid: string) => {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  };
  let postmaster: string | null = null;
  const parents = new Map<string, string>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const portIndex = argv.indexOf("-p");
      if (argv[0]?.endsWith("postgres") && portIndex > 0 && argv[portIndex + 1] === String(port)) postmaster = pid;
      parents.set(pid, stat(pid)[1]!);
    } catch {
      // the process ended while we looked
    }
  }
  if (!postmaster) return Number.NaN;
  let ticks = 0;
  for (const [pid, parent] of parents) {
    if (pid !== postmaster && parent !== postmaster) continue;
    try {
      const fields = stat(pid).map(Number);
      ticks += fields[11]! + fields[12]! + (pid === postmaster ? fields[13]! + fields[14]! : 0);
    } catch {
      // a backend that just ended is in the postmaster's reaped-children time once it is reaped
    }
  }
  return ticks / CLOCK_TICKS;
}

interface PhaseResult {
  round: RoundResult;
  decisions: number[];
  serverCpu: number;
  clientsCpu: number;
  postgresCpu: number;
  dnsCpu: number;
  dnsQueries: number;
  /** Queries by type and name (sender numbers folded into N), per message sent. */
  dnsByName: [string, number][];
  stored: number | null;
  deliveries: number | null;
}

/**
 * The route lookup the gateway makes for RCPT TO, on its own: the SQL resolveAddress sends (caught
 * from Prisma's query events) under EXPLAIN ANALYZE, and its latency with nothing else running.
 */
async function explainRouteLookup(url: string, domains: string[]): Promise<{ queries: number; plans: string[][]; idleMs: number[]; idlePoolMs: number[] }> {
  const { PrismaClient } = await import("../lib/db/generated/client");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { resolveAddress } = await import("../lib/routes/address-resolution");
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: "event", level: "query" }] });
  try {
    const captured: { query: string; params: string }[] = [];
    client.$on("query", (event) => captured.push({ query: event.query, params: event.params }));
    const pick = random(7);
    const address = () => {
      const route = 1 + Math.floor(pick() * ROUTES);
      return `agent${route}@${domains[route % domains.length]}`;
    };
    for (let index = 0; index < 20; index++) await resolveAddress(client, address());
    const idleMs: number[] = [];
    for (let index = 0; index < 200; index++) {
      const started = performance.now();
      const resolved = await resolveAddress(client, address());
      idleMs.push(performance.now() - started);
      if (resolved.outcome !== "routed") throw new Error(`the route lookup did not find a seeded route (${resolved.input}: ${resolved.outcome})`);
    }
    captured.length = 0;
    await resolveAddress(client, address());
    const lookups = captured.splice(0);
    const plans: string[][] = [];
    for (const { query, params } of lookups) {
      const rows = await client.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, ...(JSON.parse(params) as unknown[]));
      plans.push(rows.map((row) => row["QUERY PLAN"]));
    }
    // The same lookup as the gateway sends it since it skips Prisma: a named prepared statement on a pg pool.
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const idlePoolMs: number[] = [];
    try {
      for (let index = 0; index < 20; index++) await resolveAddress(pool, address());
      for (let index = 0; index < 200; index++) {
        const started = performance.now();
        await resolveAddress(pool, address());
        idlePoolMs.push(performance.now() - started);
      }
    } finally {
      await pool.end();
    }
    return { queries: lookups.length, plans, idleMs, idlePoolMs };
  } finally {
    await client.$disconnect();
  }
}

async function main(): Promise<void> {
  const pg = (await import("pg")).default;
  const { startTestCluster, createDatabaseFromTemplate, databaseUrl } = await import("../tests/support/postgres-cluster");
  const { startDnsWorld } = await import("../tests/support/dns-server");
  const { PLATFORM_TEST_ENV } = await import("../tests/support/dns-publish");
  const platformDomain = PLATFORM_TEST_ENV.PLATFORM_DOMAIN;

  console.log(
    `Machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")}, Node ${process.version}. ${CLIENTS} clients, ${MESSAGES.toLocaleString("en")} messages of ~${MESSAGE_BYTES / 1024} KB per run after ${WARM_UP} to warm up.`,
  );

  const cluster = await startTestCluster({ durable: true });
  cleanups.push(() => cluster.stop());
  await createDatabaseFromTemplate(cluster.adminUrl, "erc_bench_inbound");
  const url = databaseUrl(cluster.adminUrl, "erc_bench_inbound");
  const pgPort = Number(new URL(url).port);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  cleanups.push(() => pool.end());

  // ---- seed: two organisations, 4 custom domains + 2 platform labels, 100,000 routes ----------
  console.log(`Seeding ${ROUTES.toLocaleString("en")} routes …`);
  const seedStarted = performance.now();
  const one = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0] as T;
  const domainSpecs = [
    { org: "acme", name: "support.acme.test", scenario: "own_domain" },
    { org: "acme", name: "help.acme.test", scenario: "own_domain_with_copies" },
    { org: "acme", name: `acme.${platformDomain}`, scenario: "platform_domain" },
    { org: "globex", name: "help.globex.test", scenario: "own_domain" },
    { org: "globex", name: "mail.globex.test", scenario: "own_domain" },
    { org: "globex", name: `globex.${platformDomain}`, scenario: "platform_domain_with_copies" },
  ];
  const orgs = new Map<string, { id: string; queues: string[]; spam: string; language: string; skill: string }>();
  for (const slug of ["acme", "globex"]) {
    const { id } = await one<{ id: string }>(`INSERT INTO organizations (name, slug, licences, updated_at) VALUES ($1, $2, '{"Genesys Cloud CX 2"}', now()) RETURNING id`, [
      slug[0]!.toUpperCase() + slug.slice(1),
      slug,
    ]);
    const queues: string[] = [];
    for (const name of ["Support", "Billing", "Returns", "Sales", "Spam review"]) {
      queues.push((await one<{ id: string }>(`INSERT INTO queues (organization_id, name, name_key, updated_at) VALUES ($1, $2, $3, now()) RETURNING id`, [id, name, name.toLowerCase()])).id);
    }
    const language = (await one<{ id: string }>(`INSERT INTO languages (organization_id, name, name_key, updated_at) VALUES ($1, 'English', 'english', now()) RETURNING id`, [id])).id;
    const skill = (await one<{ id: string }>(`INSERT INTO skills (organization_id, name, name_key, updated_at) VALUES ($1, 'Billing', 'billing', now()) RETURNING id`, [id])).id;
    orgs.set(slug, { id, queues: queues.slice(0, 4), spam: queues[4]!, language, skill });
  }
  for (const [index, spec] of domainSpecs.entries()) {
    const org = orgs.get(spec.org)!;
    const platform = spec.scenario.startsWith("platform");
    const { id } = await one<{ id: string }>(
      `INSERT INTO domains (organization_id, kind, scenario, name, display_name, platform_label, status, verified_at, updated_at)
       VALUES ($1, $2, $3, $4, $4, $5, 'verified', now(), now()) RETURNING id`,
      [org.id, platform ? "platform" : "custom", spec.scenario, spec.name, platform ? spec.name.split(".")[0] : null],
    );
    // Route n lives on domain n % 6: the clients find a route's address from its number alone.
    await pool.query(
      `INSERT INTO routes (organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id, spam_queue_id, from_name, updated_at)
       SELECT $1::uuid, $2::uuid, 'agent' || n, 'agent' || n, 'agent' || n || '@' || $3, ($4::uuid[])[1 + n % 4], 1 + n % 10,
              CASE WHEN n % 3 = 0 THEN $5::uuid END, CASE WHEN n % 5 = 0 THEN $6::uuid END, 'Bench', now()
         FROM generate_series(1, ${ROUTES}) AS n WHERE n % ${domainSpecs.length} = $7`,
      [org.id, id, spec.name, org.queues, org.language, org.spam, index],
    );
  }
  await pool.query(`INSERT INTO route_skills (route_id, skill_id) SELECT r.id, s.id FROM routes r JOIN skills s ON s.organization_id = r.organization_id WHERE r.priority % 4 = 0`);
  // What autovacuum would have done by the time mail arrives.
  for (const table of ["routes", "route_skills", "domains", "queues"]) await pool.query(`VACUUM ANALYZE ${table}`);
  const routeCount = (await one<{ count: number }>("SELECT count(*)::int AS count FROM routes")).count;
  console.log(`  ${routeCount.toLocaleString("en")} routes on ${domainSpecs.length} domains, seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  // ---- DNS: the senders' domains on loopback ------------------------------------------------
  const keys = SENDER_DOMAINS.map(() => generateKeyPairSync("rsa", { modulusLength: 2048 }));
  const world = await startDnsWorld({ zones: [...SENDER_DOMAINS.map((origin) => ({ origin: origin.split(".").slice(-2).join(".") })), { origin: PLAIN_DOMAIN }] });
  cleanups.push(() => world.close());
  SENDER_DOMAINS.forEach((domain, index) => {
    const publicKey = keys[index]!.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    world.publish(
      { name: domain, type: "TXT", data: "v=spf1 ip4:127.0.0.0/8 -all" },
      { name: `_dmarc.${domain.split(".").slice(-2).join(".")}`, type: "TXT", data: "v=DMARC1; p=reject" },
      { name: `s1._domainkey.${domain}`, type: "TXT", data: `v=DKIM1; k=rsa; p=${publicKey}` },
    );
  });

  const dataDir = await mkdtemp(path.join(os.tmpdir(), "erc-bench-inbound-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const serverEnv: Record<string, string> = {
    ...PLATFORM_TEST_ENV,
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    NEXTAUTH_SECRET: "bench-secret-that-is-long-enough-for-next-auth",
    SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    DNS_RESOLVERS: `127.0.0.1:${world.resolver.port}`,
    INBOUND_HOSTNAME: "inbound-1.platform.test",
    // One loopback address sends everything: the per-client limits would stop it within a second.
    INBOUND_RATE_CONNECTIONS_PER_MINUTE: "1000000",
    INBOUND_RATE_MESSAGES_PER_MINUTE: "1000000",
  };

  const clients = await startChild("clients", { LOG_LEVEL: "silent" });
  const prepared = await clients.call<{ minBytes: number; maxBytes: number }>("prepare", {
    senders: SENDER_DOMAINS.map((domain, index) => ({ domain, privateKey: keys[index]!.privateKey.export({ type: "pkcs8", format: "pem" }).toString() })),
    recipientDomains: domainSpecs.map((spec) => spec.name),
    routes: ROUTES,
    count: WARM_UP + MESSAGES,
  } satisfies PrepareArgs);
  console.log(`  messages built and DKIM-signed: ${prepared.minBytes.toLocaleString("en")}–${prepared.maxBytes.toLocaleString("en")} bytes as sent\n`);

  const messageCount = async () => one<{ messages: number; deliveries: number }>("SELECT (SELECT count(*)::int FROM inbound_messages) AS messages, (SELECT count(*)::int FROM inbound_deliveries) AS deliveries");

  /** Starts `count` server processes of one kind, one after another (the first generates the TLS certificate the others reuse). */
  async function startServers(kind: "gateway" | "discard", count: number): Promise<Child[]> {
    const servers: Child[] = [];
    for (let index = 0; index < count; index++) servers.push(await startChild(kind, { ...serverEnv, INBOUND_HOSTNAME: `inbound-${index + 1}.platform.test` }, true));
    return servers;
  }

  async function phase(servers: readonly Child[], set: string, store: boolean): Promise<PhaseResult> {
    const ports = await Promise.all(servers.map((server) => server.call<number>("port")));
    const snapshot = async () => {
      const snapshots = await Promise.all(servers.map((server) => server.call<{ cpu: Cpu; decisions: number[] }>("snapshot")));
      return { cpu: snapshots.reduce((sum, { cpu }) => sum + seconds(cpu), 0), decisions: snapshots.flatMap(({ decisions }) => decisions) };
    };
    await clients.call<RoundResult>("round", { ports, set, warmUp: true });
    const before = { count: store ? await messageCount() : null, server: await snapshot() };
    const pgBefore = postgresCpuSeconds(pgPort);
    const mainBefore = process.cpuUsage();
    const queriesBefore = world.resolver.queries.length;
    const round = await clients.call<RoundResult>("round", { ports, set, warmUp: false });
    const dnsCpu = process.cpuUsage(mainBefore);
    const pgAfter = postgresCpuSeconds(pgPort);
    const after = await snapshot();
    const count = store ? await messageCount() : null;
    return {
      round,
      decisions: after.decisions,
      serverCpu: after.cpu - before.server.cpu,
      clientsCpu: seconds(round.cpu),
      postgresCpu: pgAfter - pgBefore,
      dnsCpu: seconds(dnsCpu),
      dnsQueries: world.resolver.queries.length - queriesBefore,
      dnsByName: [
        ...world.resolver.queries
          .slice(queriesBefore)
          .reduce((counts, query) => {
            const key = `${query.type} ${query.name.replace(/\d+/g, "N")}`;
            return counts.set(key, (counts.get(key) ?? 0) + 1);
          }, new Map<string, number>()),
      ].map(([key, count]): [string, number] => [key, count / round.sent]),
      stored: count && before.count ? count.messages - before.count.messages : null,
      deliveries: count && before.count ? count.deliveries - before.count.deliveries : null,
    };
  }

  const sets = [
    { set: "records", title: "Sender domains publish SPF, DKIM and DMARC (p=reject); messages DKIM-signed" },
    { set: "plain", title: `Sender domain ${PLAIN_DOMAIN} publishes nothing; messages unsigned` },
  ];
  // Each instance count runs the discard servers, then the gateways: n of each, the clients' connections spread over them.
  // With ERC_BENCH_ROUNDS > 1 the pair runs again that many times, fresh processes each time.
  const results = new Map<string, { discard: PhaseResult; gateway: PhaseResult }[]>();
  let floor: number[] = [];
  for (const instances of INSTANCES) {
    for (let round = 0; round < ROUNDS; round++) {
      const discards = await startServers("discard", instances);
      const ceilings = new Map<string, PhaseResult>();
      for (const { set } of sets) ceilings.set(set, await phase(discards, set, false));
      await Promise.all(discards.map(stopChild));
      const gateways = await startServers("gateway", instances);
      for (const { set } of sets) {
        const key = `${set} ${instances}`;
        results.set(key, [...(results.get(key) ?? []), { discard: ceilings.get(set)!, gateway: await phase(gateways, set, true) }]);
      }
      floor = await gateways[0]!.call<number[]>("floor");
      await Promise.all(gateways.map(stopChild));
    }
  }
  await stopChild(clients).catch(() => undefined);
  const lookup = await explainRouteLookup(url, domainSpecs.map((spec) => spec.name));

  // ---- the table -----------------------------------------------------------------------------
  const ms = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(value < 10 ? 2 : 1)} ms`);
  const pair = (samples: number[]) => (samples.length ? `${ms(percentile(samples, 0.5))} / ${ms(percentile(samples, 0.99))}` : "—");
  const cpu = (seconds: number, wallMs: number) => (Number.isNaN(seconds) ? "—" : `${((seconds / (wallMs / 1000)) * 100).toFixed(0)} %`);
  const line = (label: string, gatewayValue: string, discardValue: string, note = "") =>
    console.log(`  ${label.padEnd(38)}${gatewayValue.padStart(20)}${discardValue.padStart(20)}  ${note}`);
  let allMet = true;
  const rate = (result: PhaseResult) => (result.round.accepted / result.round.wallMs) * 1000;
  const ratioOf = ({ discard, gateway }: { discard: PhaseResult; gateway: PhaseResult }) => rate(gateway) / rate(discard);
  for (const [{ set, title }, instances] of sets.flatMap((entry) => INSTANCES.map((count) => [entry, count] as const))) {
    // The round with the median ratio is shown in full; the target is judged on it.
    const rounds = results.get(`${set} ${instances}`)!;
    const byRatio = [...rounds].sort((a, b) => ratioOf(a) - ratioOf(b));
    const median = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
    const { discard: d, gateway: g } = median;
    const ratio = ratioOf(median);
    const routingP99 = percentile(g.decisions, 0.99);
    const ratioMet = ratio >= TARGET_RATIO;
    const routingMet = routingP99 <= TARGET_ROUTING_P99_MS;
    allMet &&= ratioMet && routingMet;
    console.log(`${title}; ${instances === 1 ? "one server process" : `${instances} server processes of each kind, connections spread over them`}`);
    line("", instances === 1 ? "gateway" : `${instances} gateways`, instances === 1 ? "discard ceiling" : `${instances} discard servers`);
    line("messages/s accepted (250)", rate(g).toFixed(0), rate(d).toFixed(0), `ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}: ${ratioMet ? "met" : "NOT met"})`);
    line("routing decision p50 / p99 (in gateway)", pair(g.decisions), "—", `target p99 ≤ ${TARGET_ROUTING_P99_MS} ms: ${routingMet ? "met" : "NOT met"}`);
    line("RCPT TO → reply p50 / p99 (client)", pair(g.round.rcptMs), pair(d.round.rcptMs));
    line("DATA end → 250 p50 / p99 (client)", pair(g.round.dataMs), pair(d.round.dataMs));
    line(instances === 1 ? "CPU: server process (of one core)" : "CPU: server processes (of one core)", cpu(g.serverCpu, g.round.wallMs), cpu(d.serverCpu, d.round.wallMs));
    line("CPU: PostgreSQL", cpu(g.postgresCpu, g.round.wallMs), cpu(d.postgresCpu, d.round.wallMs));
    line("CPU: 20 clients process", cpu(g.clientsCpu, g.round.wallMs), cpu(d.clientsCpu, d.round.wallMs));
    line("CPU: DNS servers", cpu(g.dnsCpu, g.round.wallMs), cpu(d.dnsCpu, d.round.wallMs));
    line("DNS queries per message", (g.dnsQueries / g.round.sent).toFixed(2), (d.dnsQueries / d.round.sent).toFixed(2));
    console.log(`    mailauth's lookups per message: ${g.dnsByName.map(([key, perMessage]) => `${key} ×${perMessage.toFixed(2)}`).join(", ")}`);
    line("stored rows: messages / deliveries", `${g.stored} / ${g.deliveries}`, "—", `of ${g.round.accepted} answered 250`);
    line("failures", String(g.round.failures), String(d.round.failures), g.round.firstFailure ?? d.round.firstFailure ?? "");
    if (rounds.length > 1) {
      console.log(`    ${rounds.length} rounds, in order: ${rounds.map((result) => `${rate(result.gateway).toFixed(0)} / ${rate(result.discard).toFixed(0)} (${ratioOf(result).toFixed(2)})`).join(", ")}; the median round is shown`);
    }
    console.log("");
  }
  console.log(
    `Route lookup through Prisma, as the route tester makes it (resolveAddress: ${lookup.queries} ${lookup.queries === 1 ? "query" : "queries"}), alone on an idle gateway: ` +
      `p50 ${ms(percentile(lookup.idleMs, 0.5))}, p99 ${ms(percentile(lookup.idleMs, 0.99))} over ${lookup.idleMs.length} lookups. EXPLAIN ANALYZE:`,
  );
  for (const plan of lookup.plans) console.log(plan.map((planLine) => `    ${planLine}`).join("\n"));
  console.log(`The same lookup straight through a pg pool (a prepared statement, as the gateway sends it on a route cache miss): p50 ${ms(percentile(lookup.idlePoolMs, 0.5))}, p99 ${ms(percentile(lookup.idlePoolMs, 0.99))}.`);
  console.log("");
  console.log(
    `Scheduling floor: ~0.05 ms of synchronous work in the gateway process, after its runs: p50 ${ms(percentile(floor, 0.5))}, p99 ${ms(percentile(floor, 0.99))} ` +
      `over ${floor.length.toLocaleString("en")} (the process preempted by others on a shared machine; every latency measured inside a process includes it).`,
  );
  console.log("");
  console.log(`Targets (≥ ${TARGET_RATIO}× the discard ceiling, routing p99 ≤ ${TARGET_ROUTING_P99_MS} ms): ${allMet ? "all met" : "NOT all met"}.`);
  console.log("PostgreSQL is durable (fsync, synchronous_commit on). CPU is the share of one core over the measured run's wall time.");
}

const role = process.env.ERC_BENCH_ROLE;
if (role === "gateway" || role === "discard") {
  await serverRole(role);
} else if (role === "clients") {
  await clientsRole();
} else if (role === "main") {
  await runMeasured(main, cleanups, 20);
} else {
  rerunUnderReactServer(SCRIPT, { ERC_BENCH_ROLE: "main" });
}

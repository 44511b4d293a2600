/**
 * How many round trips does a verification cost? Serves a domain with all its records from
 * loopback fixture servers that delay every reply by 50 ms, then compares full verification
 * time with the time of one query. Run: npx tsx bench/dns-verify.ts
 *
 * The fixture servers run in a child process (this file with --serve): real DNS servers are
 * elsewhere, so their CPU time must not be billed to the client being measured.
 * Loopback only; every loop is bounded; the child exits with its parent.
 */
import { fork } from "node:child_process";
import type { ExpectedRecord } from "../lib/dns/expected";
import type { ServerAddress } from "../lib/dns/servers";
import { lookup } from "../lib/dns/lookup";
import { verifyDomainRecords } from "../lib/dns/verify";
import { startDnsWorld } from "../tests/support/dns-server";

const DELAY_MS = 50;
const RUNS = 5;
const TARGET_RATIO = 4;
const DKIM_KEY = `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${"x".repeat(340)}IDAQAB`;

const records: ExpectedRecord[] = [
  { kind: "ownership", type: "TXT", name: "_inbound-verify.acme.com", value: "inbound-verify=7f3c9a1e2b", required: true },
  { kind: "mx", type: "MX", name: "acme.com", exchange: "mx1.inbound.example.net", preference: 10, required: true },
  { kind: "mx", type: "MX", name: "acme.com", exchange: "mx2.inbound.example.net", preference: 20, required: true },
  { kind: "spf", type: "TXT", name: "acme.com", include: "_spf.example.net", value: "v=spf1 include:_spf.example.net ~all", required: true },
  { kind: "dkim", type: "TXT", name: "inbound1._domainkey.acme.com", value: `v=DKIM1; k=rsa; p=${DKIM_KEY}`, required: true },
  { kind: "dmarc", type: "TXT", name: "_dmarc.acme.com", value: "v=DMARC1; p=none", required: false },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function serve(): Promise<void> {
  const world = await startDnsWorld({
    zones: [
      { origin: "acme.com" },
      {
        origin: "example.net",
        records: [
          { name: "_spf.example.net", type: "TXT", data: "v=spf1 include:_spf-a.example.net include:_spf-b.example.net ~all" },
          { name: "_spf-a.example.net", type: "TXT", data: "v=spf1 ip4:192.0.2.0/24 ~all" },
          { name: "_spf-b.example.net", type: "TXT", data: "v=spf1 ip4:198.51.100.0/24 ~all" },
          { name: "mx1.inbound.example.net", type: "A", data: "127.0.0.20" },
          { name: "mx2.inbound.example.net", type: "A", data: "127.0.0.21" },
        ],
      },
    ],
    delayMs: DELAY_MS,
  });
  world.publish(
    { name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=7f3c9a1e2b" },
    { name: "acme.com", type: "MX", data: { preference: 10, exchange: "mx1.inbound.example.net" } },
    { name: "acme.com", type: "MX", data: { preference: 20, exchange: "mx2.inbound.example.net" } },
    { name: "acme.com", type: "TXT", data: "v=spf1 include:_spf.example.net ~all" },
    { name: "inbound1._domainkey.acme.com", type: "TXT", data: `v=DKIM1; k=rsa; p=${DKIM_KEY}` },
    { name: "_dmarc.acme.com", type: "TXT", data: "v=DMARC1; p=none" },
  );
  const stop = (): void => {
    void world.close().then(() => process.exit(0));
  };
  process.on("disconnect", stop);
  process.on("message", (message) => {
    if (message === "close") stop();
  });
  // Safety net: never outlive a stuck parent by more than a minute.
  setTimeout(stop, 60_000).unref();
  process.send?.({ resolvers: world.resolvers, authoritativePort: world.authoritativePort });
}

interface Served {
  resolvers: ServerAddress[];
  authoritativePort: number;
}

async function main(): Promise<void> {
  const script = process.argv[1];
  if (!script) throw new Error("cannot locate this script");
  const child = fork(script, ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const served = await new Promise<Served>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Served));
    child.once("exit", (code) => reject(new Error(`fixture process exited early (${code})`)));
  });
  const resolver = served.resolvers[0];
  if (!resolver) throw new Error("fixture process sent no resolver");
  try {
    // The fixture's nameservers are on loopback, which the default address policy refuses.
    const options = { resolvers: served.resolvers, authoritativePort: served.authoritativePort, allowPrivateNameservers: true, timeoutMs: 1000, retries: 0 };

    const oneQuery: number[] = [];
    const oneRecord: number[] = [];
    const allRecords: number[] = [];
    let queriesOne = 0;
    let queriesAll = 0;
    let allVerified = true;
    for (let run = 0; run < RUNS; run += 1) {
      let t = performance.now();
      const outcome = await lookup(resolver, "_inbound-verify.acme.com", "TXT", { ...options, recursive: true });
      oneQuery.push(performance.now() - t);
      if (outcome.kind !== "answer") throw new Error(`baseline query failed: ${outcome.kind}`);

      t = performance.now();
      const single = await verifyDomainRecords({ domain: "acme.com", records: records.slice(0, 1) }, options);
      oneRecord.push(performance.now() - t);
      queriesOne = single.queries;

      t = performance.now();
      const full = await verifyDomainRecords({ domain: "acme.com", records }, options);
      allRecords.push(performance.now() - t);
      queriesAll = full.queries;
      allVerified &&= single.summary.overall === "verified" && full.checks.every((c) => c.verdict === "verified");
    }

    const rtt = median(oneQuery);
    const one = median(oneRecord);
    const all = median(allRecords);
    const fmt = (ms: number): string => `${ms.toFixed(1).padStart(7)} ms`;
    const ratio = (ms: number): string => `${(ms / rtt).toFixed(2)}x`;
    console.log(`DNS verification benchmark: loopback fixture, +${DELAY_MS} ms per reply, median of ${RUNS} runs`);
    console.log(`  one round trip (single query)        ${fmt(rtt)}`);
    console.log(`  verify 1 record  (${String(queriesOne).padStart(2)} queries)        ${fmt(one)}  = ${ratio(one)} one round trip`);
    console.log(
      `  verify ${records.length} records (${String(queriesAll).padStart(2)} queries)        ${fmt(all)}  = ${ratio(all)} one round trip`,
    );
    console.log(`  all records verified: ${allVerified ? "yes" : "NO"}`);
    const worst = Math.max(one, all) / rtt;
    console.log(`  target ratio <= ${TARGET_RATIO}: ${worst <= TARGET_RATIO ? "met" : "NOT met"} (worst ${worst.toFixed(2)}x)`);
    if (!allVerified || worst > TARGET_RATIO) process.exitCode = 1;
  } finally {
    child.send("close");
  }
}

if (process.argv.includes("--serve")) void serve();
else void main();

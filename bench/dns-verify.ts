/**
 * How many round trips does a verification cost? Serves a domain with all its records from
 * loopback fixture servers that delay every reply by 50 ms, then compares full verification
 * time with the time of one query, for a first check and for a re-check that reuses what the
 * first one cached (zone cut, nameserver addresses, SPF includes). Run: npx tsx bench/dns-verify.ts
 *
 * The fixture servers run in a child process (this file with --serve): real DNS servers are
 * elsewhere, so their CPU time must not be billed to the client being measured.
 * Loopback only; every loop is bounded; the child exits with its parent.
 */
import { fork } from "node:child_process";
import type { ExpectedRecord } from "../lib/dns/expected";
import type { ServerAddress } from "../lib/dns/servers";
import { DnsCache } from "../lib/dns/cache";
import { lookup } from "../lib/dns/lookup";
import { verifyDomainRecords } from "../lib/dns/verify";
import { startDnsWorld } from "../tests/support/dns-server";
import { percentile } from "./support/run";

const DELAY_MS = 50;
const RUNS = 5;
const TARGET_RATIO = 4;
/** A domain checked before, within its TTLs: zone cut, nameserver addresses and SPF includes are cached. */
const RECHECK_TARGET_RATIO = 1.2;
const DKIM_KEY = `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${"x".repeat(340)}IDAQAB`;

const records: ExpectedRecord[] = [
  { kind: "ownership", type: "TXT", name: "_inbound-verify.acme.com", value: "inbound-verify=7f3c9a1e2b", required: true },
  { kind: "mx", type: "MX", name: "acme.com", exchange: "mx1.inbound.example.net", preference: 10, required: true },
  { kind: "mx", type: "MX", name: "acme.com", exchange: "mx2.inbound.example.net", preference: 20, required: true },
  { kind: "spf", type: "TXT", name: "acme.com", include: "_spf.example.net", value: "v=spf1 include:_spf.example.net ~all", required: true },
  { kind: "dkim", type: "TXT", name: "inbound1._domainkey.acme.com", value: `v=DKIM1; k=rsa; p=${DKIM_KEY}`, required: true },
  { kind: "dmarc", type: "TXT", name: "_dmarc.acme.com", value: "v=DMARC1; p=none", required: false },
];

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
    const recheckOne: number[] = [];
    const recheckAll: number[] = [];
    const queries = { one: 0, all: 0, recheckOne: 0, recheckAll: 0 };
    let allVerified = true;
    for (let run = 0; run < RUNS; run += 1) {
      const t = performance.now();
      const outcome = await lookup(resolver, "_inbound-verify.acme.com", "TXT", { ...options, recursive: true });
      oneQuery.push(performance.now() - t);
      if (outcome.kind !== "answer") throw new Error(`baseline query failed: ${outcome.kind}`);

      // First checks start from an empty cache; re-checks share the cache the first check filled,
      // as a background worker's checks do.
      const timed = async (samples: number[], slice: ExpectedRecord[], cache: DnsCache) => {
        const started = performance.now();
        const report = await verifyDomainRecords({ domain: "acme.com", records: slice }, { ...options, cache });
        samples.push(performance.now() - started);
        allVerified &&= report.checks.every((c) => c.verdict === "verified");
        return report.queries;
      };
      const singleCache = new DnsCache();
      queries.one = await timed(oneRecord, records.slice(0, 1), singleCache);
      queries.recheckOne = await timed(recheckOne, records.slice(0, 1), singleCache);
      const fullCache = new DnsCache();
      queries.all = await timed(allRecords, records, fullCache);
      queries.recheckAll = await timed(recheckAll, records, fullCache);
    }

    const rtt = percentile(oneQuery, 0.5);
    const fmt = (ms: number): string => `${ms.toFixed(1).padStart(7)} ms`;
    const line = (label: string, count: number, samples: number[], target: number): number => {
      const ratio = percentile(samples, 0.5) / rtt;
      const verdict = ratio <= target ? "met" : "NOT met";
      console.log(`  ${label.padEnd(22)} (${String(count).padStart(2)} queries)  ${fmt(percentile(samples, 0.5))}  = ${ratio.toFixed(2)}x one round trip  (target <= ${target}: ${verdict})`);
      return ratio - target;
    };
    console.log(`DNS verification benchmark: loopback fixture, +${DELAY_MS} ms per reply, median of ${RUNS} runs`);
    console.log(`  one round trip (single query)                  ${fmt(rtt)}`);
    const over = [
      line("first check, 1 record", queries.one, oneRecord, TARGET_RATIO),
      line(`first check, ${records.length} records`, queries.all, allRecords, TARGET_RATIO),
      line("re-check, 1 record", queries.recheckOne, recheckOne, RECHECK_TARGET_RATIO),
      line(`re-check, ${records.length} records`, queries.recheckAll, recheckAll, RECHECK_TARGET_RATIO),
    ];
    console.log(`  all records verified: ${allVerified ? "yes" : "NO"}`);
    if (!allVerified || over.some((excess) => excess > 0)) process.exitCode = 1;
  } finally {
    child.send("close");
  }
}

if (process.argv.includes("--serve")) void serve();
else void main();

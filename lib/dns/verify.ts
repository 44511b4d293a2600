import { setMaxListeners } from "node:events";
import type { DnsCache } from "./cache";
import { evaluateRecord } from "./checks";
import type { AuthoritativeServer, RefusedNameserver, ResolverAnswer, SharedCache, ZoneResult } from "./discovery";
import { NameserverGate, ResolverPool, ZoneFinder } from "./discovery";
import type { AuthObservation, DoubledProbe, RecordEvidence } from "./evidence";
import type { ExpectedRecord, VerificationInput } from "./expected";
import { QuerySession } from "./lookup";
import { isIpLiteral, isSubdomainOf, normalizeName, sameName, tryAsciiName } from "./names";
import type { Diagnosis, NameserverReport, RecordCheck, VerificationReport } from "./report";
import { summarize } from "./report";
import { nameserverRefusalDiagnosis, zoneDiagnosis } from "./rules/server-rules";
import type { ServerAddress } from "./servers";
import { formatServerAddress } from "./servers";
import type { SpfFetchResult, SpfLookupCount } from "./spf";
import { countSpfLookups, isSpfRecord, parseSpf } from "./spf";
import { dmarcReportsNeedingAuthorization, isDmarcRecord } from "./txt";
import type { LookupOutcome } from "./types";
import { isErrorOutcome } from "./types";

export interface VerifyOptions {
  /** Recursive resolvers, tried in order (the next one only when one gives no usable answer). */
  resolvers: ServerAddress[];
  /** Per query attempt (default 1500 ms). */
  timeoutMs?: number;
  /** Extra UDP attempts per query (default 1). */
  retries?: number;
  /** Bound on the whole run (default 8000 ms): what is unanswered by then becomes `timeout`. */
  deadlineMs?: number;
  /**
   * FOR TESTS ONLY. Port used to reach authoritative servers (default 53). Test fixtures
   * cannot bind port 53, so they run every authoritative server on its own loopback
   * address with one shared random port. Never set this in production.
   */
  authoritativePort?: number;
  /**
   * Also query nameservers at loopback and private-network addresses (on-premises DNS, tests).
   * Default false: addresses learned from DNS (glue, A/AAAA answers) must be public unicast, so
   * whoever controls a domain's DNS cannot make us send queries into our own network. Link-local,
   * multicast, unspecified and other special-purpose addresses are never queried. The configured
   * `resolvers` are operator configuration and are always asked.
   */
  allowPrivateNameservers?: boolean;
  /** Clock for timestamps and cache-expiry times (tests pass a fixed one). */
  now?: () => Date;
  /** Longest CNAME chain followed (default 8). */
  maxCnameDepth?: number;
  /**
   * Shared by the runs of one process (a background worker's re-checks): zone cuts, nameserver
   * addresses and the SPF records our include reaches, reused within their TTLs so that a re-check
   * asks only for the records themselves. Without it every run discovers everything afresh.
   */
  cache?: DnsCache;
}

const DEFAULTS = { timeoutMs: 1500, retries: 1, deadlineMs: 8000 };

/**
 * Checks that a domain publishes the expected records, asking its authoritative servers
 * directly (so a record added a minute ago is seen now) and the configured resolver (to
 * explain what mail servers currently see). Never rejects: errors become outcomes,
 * verdicts and diagnoses in the report.
 *
 * Round trips: (1) NS for every record name and its ancestors, the records themselves and
 * the expected MX hosts via the resolver, all at once; (2) every record at every
 * authoritative server plus the doubled-suffix probes, and SPF include expansion from the
 * resolver's answer; (3) the few follow-ups (CNAME targets, unexpected MX hosts, nested
 * includes). A nameserver without glue adds one round.
 */
export async function verifyDomainRecords(input: VerificationInput, options: VerifyOptions): Promise<VerificationReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const controller = new AbortController();
  // Every in-flight query listens for the deadline; dozens at once is normal here.
  setMaxListeners(0, controller.signal);
  const deadline = setTimeout(() => controller.abort(), Math.max(0, options.deadlineMs ?? DEFAULTS.deadlineMs));
  try {
    const session = new QuerySession({
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      signal: controller.signal,
      maxCnameDepth: options.maxCnameDepth,
    });
    const run = new Run(session, options, startedAt, controller.signal);
    const { checks, zone, diagnoses, nameservers } = await run.execute(input);
    const finishedAt = now();
    return {
      domain: run.domain,
      zone,
      nameservers,
      resolvers: options.resolvers.map((r) => `resolver ${formatServerAddress(r)}`),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      checks,
      summary: summarize(checks),
      diagnoses,
      queries: session.sent,
    };
  } finally {
    clearTimeout(deadline);
  }
}

class Run {
  readonly gate: NameserverGate;
  readonly pool: ResolverPool;
  readonly finder: ZoneFinder;
  private readonly cache: SharedCache | null;
  domain = "";
  private readonly spfCounts = new Map<string, Promise<SpfLookupCount>>();
  private readonly mxTargets = new Map<string, Promise<LookupOutcome>>();
  private readonly dmarcReportAuth = new Map<string, Promise<LookupOutcome>>();

  constructor(
    private readonly session: QuerySession,
    private readonly options: VerifyOptions,
    private readonly startedAt: Date,
    private readonly signal: AbortSignal,
  ) {
    this.gate = new NameserverGate({ allowPrivate: options.allowPrivateNameservers ?? false }, options.authoritativePort ?? 53);
    this.cache = options.cache ? { store: options.cache, scope: cacheScope(options) } : null;
    this.pool = new ResolverPool(session, options.resolvers, this.gate, this.cache);
    this.finder = new ZoneFinder(this.pool, this.gate, this.cache);
  }

  async execute(input: VerificationInput): Promise<{
    checks: RecordCheck[];
    zone: string | null;
    diagnoses: Diagnosis[];
    nameservers: NameserverReport[];
  }> {
    const records: ExpectedRecord[] = Array.isArray(input.records) ? input.records : [];
    const domainName = tryAsciiName(input.domain);
    if (!domainName.ok) {
      this.domain = String(input.domain);
      const diagnosis: Diagnosis = {
        code: "invalid_name",
        severity: "error",
        message: `"${String(input.domain)}" is not a valid domain name (${domainName.error}), so nothing can be published under it.`,
      };
      const checks = records.map((expected) => ({
        ...evaluateRecord(this.emptyEvidence(expected, null)),
        diagnoses: [diagnosis],
      }));
      return { checks, zone: null, diagnoses: [diagnosis], nameservers: [] };
    }
    this.domain = domainName.name;
    const domainZone = this.finder.findZone(this.domain);
    const evidence = await Promise.all(records.map((expected) => this.gather(expected, records)));
    const zone = await domainZone;

    // Fill in the follow-ups that were started while gathering.
    const spfCounts = await settleMap(this.spfCounts);
    const mxTargets = await settleMap(this.mxTargets);
    const dmarcReportAuth = await settleMap(this.dmarcReportAuth);
    const deadlineHit = this.signal.aborted;
    const checks = evidence.map((gathered) =>
      evaluateRecord({ ...gathered, spfCounts, mxTargets, dmarcReportAuth, deadlineHit, refused: this.refusedFor(gathered.zone, gathered.name) }),
    );

    const diagnoses: Diagnosis[] = [];
    const refusalBlocks = !zone.ok && zone.reason === "addresses_refused";
    if (!zone.ok && !refusalBlocks) diagnoses.push(zoneDiagnosis(zone, this.domain));
    if (this.gate.refused.length > 0) diagnoses.push(nameserverRefusalDiagnosis(this.gate.refused, refusalBlocks ? "error" : "warning"));
    if (deadlineHit) {
      diagnoses.push({
        code: "deadline_exceeded",
        severity: "warning",
        message: `Some DNS servers had not answered when the check reached its deadline of ${this.options.deadlineMs ?? DEFAULTS.deadlineMs} ms; their answers are reported as timeouts.`,
      });
    }
    return {
      checks,
      zone: zone.ok ? zone.apex : null,
      diagnoses,
      nameservers: this.nameserverReports(zone, evidence),
    };
  }

  private emptyEvidence(expected: ExpectedRecord, name: string | null): RecordEvidence {
    return {
      expected,
      name,
      domain: this.domain,
      zone: null,
      auth: [],
      resolver: null,
      doubled: [],
      mxTargets: new Map(),
      siblingMx: [],
      spfCounts: new Map(),
      dmarcReportAuth: new Map(),
      refused: [],
      now: this.startedAt,
      deadlineHit: false,
    };
  }

  /** Nameserver addresses the policy refused for the zone holding `name`. */
  private refusedFor(zone: ZoneResult | null, name: string | null): RefusedNameserver[] {
    if (!zone || name === null) return [];
    if (zone.ok) return this.gate.refused.filter((r) => r.zone === zone.apex);
    return zone.reason === "addresses_refused" ? this.gate.refused.filter((r) => isSubdomainOf(name, r.zone)) : [];
  }

  private spfCount(text: string, origin: string): Promise<SpfLookupCount> {
    let pending = this.spfCounts.get(text);
    if (!pending) {
      pending = countSpfLookups(text, (name) => this.fetchTxt(name), { origin, probe: (name, type) => this.probeSpfName(name, type) });
      this.spfCounts.set(text, pending);
    }
    return pending;
  }

  /** What an SPF `a`, `mx` or `exists` term finds at a name: a void lookup is no such name or no records. */
  private async probeSpfName(name: string, type: "A" | "MX"): Promise<"found" | "void" | "unknown"> {
    const ascii = tryAsciiName(name);
    if (!ascii.ok) return "unknown";
    const { outcome } = await this.pool.lookup(ascii.name, type);
    if (outcome.kind === "answer") return "found";
    return outcome.kind === "nxdomain" || outcome.kind === "nodata" ? "void" : "unknown";
  }

  private async fetchTxt(name: string): Promise<SpfFetchResult> {
    const outcome = await this.sharedAnswer(name, "TXT");
    if (outcome.kind === "answer") {
      const values = outcome.records.flatMap((r) => (r.type === "TXT" ? [r.value] : []));
      const canonical = outcome.chain.at(-1)?.to;
      return { kind: "records", values, ...(canonical ? { canonical } : {}) };
    }
    if (outcome.kind === "nodata" || outcome.kind === "nxdomain") return { kind: "records", values: [] };
    return { kind: "error", message: "message" in outcome ? outcome.message : outcome.kind };
  }

  /**
   * What receivers' resolvers see at a name many domains point to — the TXT records of a name an
   * SPF record includes or redirects to, the addresses of an MX host: a positive answer is shared
   * across runs within its TTL (include chains cost one round trip per level, and every domain
   * names the same MX hosts); anything else is asked again next time.
   */
  private async sharedAnswer(name: string, type: "TXT" | "A"): Promise<LookupOutcome> {
    const cached = this.cache?.store.answer(this.cache.scope, name, type);
    if (cached) return cached;
    const { outcome } = await this.pool.lookup(name, type);
    this.cache?.store.rememberAnswer(this.cache.scope, name, type, outcome);
    return outcome;
  }

  private mxTarget(exchange: string): void {
    const key = normalizeName(exchange);
    // An IP literal is its own diagnosis (mx_target_ip); there is nothing to look up.
    if (!this.mxTargets.has(key) && !isIpLiteral(key) && tryAsciiName(key).ok) {
      this.mxTargets.set(key, this.sharedAnswer(key, "A"));
    }
  }

  private prefetched = 0;

  private prefetchSpf(name: string, depth: number): void {
    const ascii = tryAsciiName(name);
    if (!ascii.ok || depth > 10 || this.prefetched >= 40) return;
    this.prefetched += 1;
    void this.sharedAnswer(ascii.name, "TXT").then((outcome) => {
      if (outcome.kind !== "answer") return;
      const spf = outcome.records.flatMap((r) => (r.type === "TXT" && isSpfRecord(r.value) ? [r.value] : []));
      if (spf.length !== 1) return;
      for (const term of parseSpf(spf[0] ?? "")?.terms ?? []) {
        if ((term.name === "include" || term.name === "redirect") && term.value !== "" && !term.value.includes("%")) {
          this.prefetchSpf(term.value, depth + 1);
        }
      }
    });
  }

  private startSpf(outcome: LookupOutcome, name: string): void {
    if (outcome.kind !== "answer") return;
    for (const r of outcome.records) if (r.type === "TXT" && isSpfRecord(r.value)) void this.spfCount(r.value, name);
  }

  /** Report destinations of the DMARC records seen: their authorisation records are looked up alongside. */
  private noteDmarcReports(outcome: LookupOutcome | null | undefined, expectedValue: string, zoneApex: string): void {
    if (outcome?.kind !== "answer") return;
    for (const r of outcome.records) {
      if (r.type !== "TXT" || !isDmarcRecord(r.value)) continue;
      for (const { name } of dmarcReportsNeedingAuthorization(r.value, this.domain, zoneApex, expectedValue)) {
        if (!this.dmarcReportAuth.has(name) && tryAsciiName(name).ok) this.dmarcReportAuth.set(name, this.sharedAnswer(name, "TXT"));
      }
    }
  }

  private noteMxTargets(outcome: LookupOutcome | null | undefined): void {
    if (outcome?.kind !== "answer") return;
    for (const r of outcome.records) if (r.type === "MX") this.mxTarget(r.exchange);
  }

  private async gather(expected: ExpectedRecord, all: readonly ExpectedRecord[]): Promise<RecordEvidence> {
    const ascii = tryAsciiName(expected.name);
    if (!ascii.ok) return this.emptyEvidence(expected, null);
    const name = ascii.name;
    const type = expected.type;

    // Round 1: the resolver's view and the zone cut, concurrently.
    const resolverP: Promise<ResolverAnswer> = this.pool.lookup(name, type);
    if (expected.kind === "spf") {
      void resolverP.then((a) => this.startSpf(a.outcome, name));
      // Our include is known before any answer: warming its expansion now takes it off the
      // critical path (include chains cost one sequential round trip per level).
      this.prefetchSpf(expected.include, 0);
    }
    if (expected.kind === "mx") {
      this.mxTarget(expected.exchange);
      void resolverP.then((a) => this.noteMxTargets(a.outcome));
    }
    const zone: ZoneResult = await this.finder.findZone(name);
    const apex = zone.ok ? zone.apex : this.domain;
    // The report authorisations of the records the resolver returned go out alongside round 2.
    if (expected.kind === "dmarc") void resolverP.then((a) => this.noteDmarcReports(a.outcome, expected.value, apex));

    let auth: AuthObservation[] = [];
    let doubled: DoubledProbe[] = [];
    if (zone.ok) {
      const servers = zone.nameservers.filter((s): s is AuthoritativeServer & { address: ServerAddress } => s.address !== null);
      // Round 2: every authoritative server, and the doubled-suffix probes alongside.
      const mainP = Promise.all(
        servers.map(async (server): Promise<AuthObservation> => {
          const { outcome, lame } = await this.askAuthoritative(server, name, type);
          let followed: LookupOutcome | null = null;
          if (outcome.kind === "cname") followed = (await this.pool.lookup(outcome.target, type)).outcome;
          if (expected.kind === "spf") this.startSpf(outcome, name);
          if (expected.kind === "mx") this.noteMxTargets(outcome);
          return { server, outcome, followed, lame };
        }),
      );
      const suffixes = [zone.apex];
      if (this.domain !== zone.apex && isSubdomainOf(this.domain, zone.apex)) suffixes.push(this.domain);
      const probesP = Promise.all(
        suffixes.flatMap((suffix) => {
          const probe = tryAsciiName(`${name}.${suffix}`);
          if (!probe.ok) return [];
          return [this.probe(servers, probe.name, type).then((observations): DoubledProbe => ({ name: probe.name, suffix, observations }))];
        }),
      );
      [auth, doubled] = await Promise.all([mainP, probesP]);
    }
    const resolver = await resolverP;
    if (expected.kind === "dmarc") for (const observation of auth) this.noteDmarcReports(observation.outcome, expected.value, apex);
    return {
      ...this.emptyEvidence(expected, name),
      zone,
      auth,
      resolver,
      doubled,
      siblingMx: all.flatMap((r) => (r.kind === "mx" && r !== expected && sameName(r.name, name) ? [{ exchange: r.exchange, preference: r.preference }] : [])),
    };
  }

  /**
   * A doubled-suffix probe only needs one server's word: ask the first, and the next only
   * when one gives no usable answer. Halves the queries of a run with two nameservers.
   */
  private async probe(
    servers: Array<AuthoritativeServer & { address: ServerAddress }>,
    name: string,
    type: ExpectedRecord["type"],
  ): Promise<DoubledProbe["observations"]> {
    const observations: DoubledProbe["observations"] = [];
    for (const server of servers.slice(0, 3)) {
      const { outcome } = await this.askAuthoritative(server, name, type);
      observations.push({ server, outcome });
      if (!isErrorOutcome(outcome)) break;
    }
    return observations;
  }

  /**
   * Asks one of the zone's own nameservers. It must answer with authority: a referral, or an
   * answer without the AA bit (a cache answering for the zone), is a lame delegation, reported as
   * `refused` so it never decides a verdict.
   */
  private async askAuthoritative(
    server: AuthoritativeServer & { address: ServerAddress },
    name: string,
    type: ExpectedRecord["type"],
  ): Promise<{ outcome: LookupOutcome; lame: string | null }> {
    const outcome = await this.session.lookup(server.address, name, type, { recursive: false, followCname: false });
    const lame =
      outcome.kind === "referral"
        ? `referred the question to ${outcome.zone || "the root"}`
        : (outcome.kind === "answer" || outcome.kind === "nodata" || outcome.kind === "nxdomain") && !outcome.authoritative
          ? `not authoritative for ${server.zone}`
          : null;
    if (!lame) return { outcome, lame: null };
    return { outcome: { kind: "refused", message: `${server.label}: ${lame} (lame delegation)` }, lame };
  }

  private nameserverReports(domainZone: ZoneResult, evidence: RecordEvidence[]): NameserverReport[] {
    const servers = new Map<string, AuthoritativeServer>();
    for (const zone of [domainZone, ...evidence.map((gathered) => gathered.zone)]) {
      for (const s of zone?.nameservers ?? []) if (!servers.has(`${s.zone}|${s.name}`)) servers.set(`${s.zone}|${s.name}`, s);
    }
    const observations = evidence.flatMap((gathered) => [
      ...gathered.auth.map((observation) => ({ server: observation.server, outcome: observation.outcome })),
      ...gathered.doubled.flatMap((probe) => probe.observations),
    ]);
    return [...servers.values()].map((s) => {
      const mine = observations.filter((o) => o.server.label === s.label);
      const reachable = mine.some((o) => o.outcome.kind !== "timeout" && o.outcome.kind !== "network_error");
      const failure = mine.find((o) => o.outcome.kind === "timeout" || o.outcome.kind === "network_error")?.outcome;
      const error = s.error ?? (!reachable && failure && "message" in failure ? failure.message : undefined);
      return {
        name: s.name,
        zone: s.zone,
        addresses: s.addresses,
        queried: s.address ? formatServerAddress(s.address) : null,
        reachable,
        ...(error ? { error } : {}),
      };
    });
  }
}

/** Cached answers are only valid for the servers that gave them. */
function cacheScope(options: VerifyOptions): string {
  return `${options.resolvers.map(formatServerAddress).join(",")}|${options.authoritativePort ?? 53}`;
}

async function settleMap<T>(map: Map<string, Promise<T>>): Promise<Map<string, T>> {
  // Entries may be added while earlier ones settle (nested follow-ups): loop until stable,
  // bounded because every key is added at most once.
  const out = new Map<string, T>();
  for (let pass = 0; pass < 100 && out.size < map.size; pass += 1) {
    const pending = [...map.entries()].filter(([key]) => !out.has(key));
    const values = await Promise.all(pending.map(([, p]) => p));
    pending.forEach(([key], i) => out.set(key, values[i] as T));
  }
  return out;
}

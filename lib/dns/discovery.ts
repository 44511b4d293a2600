import { nameAndAncestors, normalizeName } from "./names";
import type { QuerySession } from "./lookup";
import type { ServerAddress } from "./servers";
import { formatServerAddress } from "./servers";
import type { DnsRecord, LookupOutcome, QueryType } from "./types";
import { isErrorOutcome } from "./types";

/** Labels above this depth are not searched for a zone cut: no real name is nested deeper. */
const MAX_CANDIDATES = 12;
/** A hostile or broken zone may list hundreds of NS records; nobody needs more than this. */
const MAX_NAMESERVERS = 8;

export interface ResolverAnswer {
  /** `resolver 127.0.0.1:5300`. */
  label: string;
  server: ServerAddress;
  outcome: LookupOutcome;
}

export interface AuthoritativeServer {
  /** NS name. */
  name: string;
  zone: string;
  addresses: string[];
  /** Where queries go: first IPv4 address (else IPv6) at the authoritative port; null if none. */
  address: ServerAddress | null;
  /** `ns1.acme.com (127.0.0.2:53)`. */
  label: string;
  error?: string;
}

export type ZoneResult =
  | { ok: true; apex: string; nameservers: AuthoritativeServer[] }
  | {
      ok: false;
      /** The name whose NS query failed, or the queried name when no zone was found. */
      name: string;
      reason: "error" | "nxdomain" | "no_zone" | "no_nameservers";
      outcome: LookupOutcome | null;
      message: string;
    };

/**
 * Asks the configured resolvers, failing over in order when one gives no usable answer.
 * Identical questions within a run are shared through the session.
 */
export class ResolverPool {
  constructor(
    private readonly session: QuerySession,
    private readonly resolvers: readonly ServerAddress[],
  ) {}

  async lookup(name: string, type: QueryType, followCname = true): Promise<ResolverAnswer> {
    let first: ResolverAnswer | null = null;
    let best: ResolverAnswer | null = null;
    for (const server of this.resolvers) {
      const outcome = await this.session.lookup(server, name, type, { recursive: true, followCname });
      const answer = { label: `resolver ${formatServerAddress(server)}`, server, outcome };
      if (!isErrorOutcome(outcome)) return answer;
      first ??= answer;
      // A SERVFAIL says more about the domain than a timeout says about the resolver.
      if (outcome.kind === "servfail" && best === null) best = answer;
    }
    return (
      best ??
      first ?? {
        label: "resolver (none configured)",
        server: { host: "", port: 0 },
        outcome: { kind: "network_error", message: "no resolver configured" },
      }
    );
  }
}

/**
 * Finds the zone holding a name and its authoritative servers in as few round trips as
 * possible: NS queries for the name and every ancestor go out at once (the deepest one
 * with NS records is the zone cut), and glue from the resolver saves the address round.
 * Results are memoised per run, so records sharing ancestors share queries.
 */
export class ZoneFinder {
  private readonly zones = new Map<string, Promise<ZoneResult>>();
  private readonly nameservers = new Map<string, Promise<AuthoritativeServer>>();

  constructor(
    private readonly pool: ResolverPool,
    private readonly authoritativePort: number,
  ) {}

  findZone(name: string): Promise<ZoneResult> {
    const key = normalizeName(name);
    let pending = this.zones.get(key);
    if (!pending) {
      pending = this.discover(key);
      this.zones.set(key, pending);
    }
    return pending;
  }

  private async discover(name: string): Promise<ZoneResult> {
    // Top-level domains are left out: a TLD is never the zone an administrator edits, and
    // a name whose nearest cut would be the TLD does not exist.
    const all = nameAndAncestors(name);
    const candidates = (all.length > 1 ? all.slice(0, -1) : all).slice(0, MAX_CANDIDATES);
    // Speculative: all ancestors in parallel, so the cut is known after one round trip.
    const queries = candidates.map((candidate) => this.pool.lookup(candidate, "NS", false));
    for (let i = 0; i < candidates.length; i += 1) {
      const candidate = candidates[i] ?? "";
      const answer = await queries[i];
      if (!answer) break;
      const outcome = answer.outcome;
      if (outcome.kind === "answer") {
        const ns = outcome.records.filter((r) => r.type === "NS" && r.name === candidate);
        if (ns.length > 0 && outcome.chain.length === 0) return this.withNameservers(candidate, ns, outcome.additional);
        continue;
      }
      if (outcome.kind === "nodata" || outcome.kind === "nxdomain" || outcome.kind === "cname" || outcome.kind === "cname_loop") {
        if (outcome.kind === "nxdomain" && i === 0 && candidates.length === 1) {
          return { ok: false, name, reason: "nxdomain", outcome, message: `${name} does not exist (${answer.label} answered NXDOMAIN)` };
        }
        continue;
      }
      return {
        ok: false,
        name: candidate,
        reason: "error",
        outcome,
        message: `${answer.label} could not answer for ${candidate}: ${outcome.message}`,
      };
    }
    const top = await queries[0];
    if (top?.outcome.kind === "nxdomain") {
      return { ok: false, name, reason: "nxdomain", outcome: top.outcome, message: `${name} does not exist (${top.label} answered NXDOMAIN)` };
    }
    return { ok: false, name, reason: "no_zone", outcome: top?.outcome ?? null, message: `no zone with NS records was found for ${name}` };
  }

  private async withNameservers(apex: string, ns: DnsRecord[], glue: DnsRecord[]): Promise<ZoneResult> {
    const names = [...new Set(ns.flatMap((r) => (r.type === "NS" ? [r.target] : [])))].sort().slice(0, MAX_NAMESERVERS);
    const servers = await Promise.all(names.map((n) => this.nameserver(apex, n, glue)));
    if (!servers.some((s) => s.address)) {
      return {
        ok: false,
        name: apex,
        reason: "no_nameservers",
        outcome: null,
        message: `none of the nameservers of ${apex} (${names.join(", ")}) has an address: ${servers.map((s) => s.error ?? "").join("; ")}`,
      };
    }
    return { ok: true, apex, nameservers: servers };
  }

  private nameserver(zone: string, name: string, glue: DnsRecord[]): Promise<AuthoritativeServer> {
    const key = `${zone}|${name}`;
    let pending = this.nameservers.get(key);
    if (!pending) {
      pending = this.resolveNameserver(zone, name, glue);
      this.nameservers.set(key, pending);
    }
    return pending;
  }

  private async resolveNameserver(zone: string, name: string, glue: DnsRecord[]): Promise<AuthoritativeServer> {
    const addressesOf = (records: DnsRecord[]): string[] =>
      records.flatMap((r) => ((r.type === "A" || r.type === "AAAA") && r.name === name ? [r.address] : []));
    let v4 = addressesOf(glue.filter((r) => r.type === "A"));
    let v6 = addressesOf(glue.filter((r) => r.type === "AAAA"));
    let error: string | undefined;
    if (v4.length === 0 && v6.length === 0) {
      const a = this.pool.lookup(name, "A");
      const aaaa = this.pool.lookup(name, "AAAA");
      const aAnswer = await a;
      if (aAnswer.outcome.kind === "answer") v4 = addressesOf(aAnswer.outcome.records.map((r) => ({ ...r, name })));
      // IPv4 is enough to go on: do not wait for the AAAA answer when A gave addresses.
      if (v4.length === 0) {
        const aaaaAnswer = await aaaa;
        if (aaaaAnswer.outcome.kind === "answer") v6 = addressesOf(aaaaAnswer.outcome.records.map((r) => ({ ...r, name })));
        if (v6.length === 0) error = `no address found for ${name} (A: ${aAnswer.outcome.kind}, AAAA: ${aaaaAnswer.outcome.kind})`;
      }
    }
    const host = v4[0] ?? v6[0];
    const address = host ? { host, port: this.authoritativePort } : null;
    return {
      name,
      zone,
      addresses: [...v4, ...v6],
      address,
      label: address ? `${name} (${formatServerAddress(address)})` : name,
      ...(error ? { error } : {}),
    };
  }
}

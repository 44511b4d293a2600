import type { AddressRefusal, NameserverAddressPolicy } from "./addresses";
import { nameserverAddressRefusal } from "./addresses";
import type { QuerySession } from "./lookup";
import type { CachedZoneCut, DnsCache } from "./cache";
import { outcomeTtl } from "./cache";
import { isSubdomainOf, nameAndAncestors, normalizeName } from "./names";
import type { ServerAddress } from "./servers";
import { formatServerAddress } from "./servers";
import type { CnameLink, DnsRecord, LookupOutcome, QueryType } from "./types";
import { isErrorOutcome } from "./types";

/** Labels above this depth are not searched for a zone cut: no real name is nested deeper. */
const MAX_CANDIDATES = 12;
/** A hostile or broken zone may list hundreds of NS records; nobody needs more than this. */
const MAX_NAMESERVERS = 8;
/** Referrals followed for one question: the DNS tree is rarely more than four zones deep. */
const MAX_REFERRALS = 8;
/** Lookups nested inside a referral walk (nameserver addresses, alias targets). */
const MAX_NESTING = 3;

type Referral = Extract<LookupOutcome, { kind: "referral" }>;

/** A nameserver address the address policy kept the run from querying. */
export interface RefusedNameserver {
  /** NS name. */
  name: string;
  zone: string;
  address: string;
  addressClass: AddressRefusal["addressClass"];
  /** `127.0.0.2 is a loopback address`. */
  reason: string;
}

/**
 * Where queries to a zone's nameservers may go: addresses learned from DNS (glue, A/AAAA
 * answers) pass the address policy or are refused and remembered for the report. Configured
 * resolvers never pass through here: they are operator configuration.
 */
export class NameserverGate {
  readonly refused: RefusedNameserver[] = [];

  constructor(
    private readonly policy: NameserverAddressPolicy,
    /** Port of authoritative servers (53; tests use their fixture's). */
    readonly port: number,
  ) {}

  allows(address: string): boolean {
    return nameserverAddressRefusal(address, this.policy) === null;
  }

  /** The addresses of nameserver `name` of `zone` that may be queried; the others are recorded. */
  admit(name: string, zone: string, addresses: readonly string[]): { allowed: ServerAddress[]; refused: RefusedNameserver[] } {
    const allowed: ServerAddress[] = [];
    const refused: RefusedNameserver[] = [];
    for (const address of addresses) {
      const refusal = nameserverAddressRefusal(address, this.policy);
      if (!refusal) {
        allowed.push({ host: address, port: this.port });
        continue;
      }
      const entry = { name, zone, address, addressClass: refusal.addressClass, reason: refusal.reason };
      refused.push(entry);
      if (!this.refused.some((r) => r.name === name && r.zone === zone && r.address === address)) this.refused.push(entry);
    }
    return { allowed, refused };
  }
}

export interface ResolverAnswer {
  /** `resolver 127.0.0.1:5300`. */
  label: string;
  server: ServerAddress;
  outcome: LookupOutcome;
  /** The resolver referred the question on and `outcome` is what the servers it named answered. */
  referred: boolean;
}

/** A resolver's own failure to answer (as opposed to its SERVFAIL, which usually speaks of the domain). */
const RESOLVER_FAULTS: ReadonlySet<LookupOutcome["kind"]> = new Set(["timeout", "network_error", "refused", "malformed"]);

export interface NameserverAddresses {
  addresses: string[];
  /** Seconds the addresses may be relied on: their records' TTL; null when none were found. */
  ttl: number | null;
  error?: string;
}

export interface AuthoritativeServer {
  /** NS name. */
  name: string;
  zone: string;
  addresses: string[];
  /** Seconds `addresses` may be relied on (null: taken from a cache, or none found). */
  addressTtl: number | null;
  /** Where queries go: first IPv4 address (else IPv6) at the authoritative port; null if none. */
  address: ServerAddress | null;
  /** `ns1.acme.com (127.0.0.2:53)`. */
  label: string;
  error?: string;
  /** Addresses the address policy did not let the run query. */
  refused: RefusedNameserver[];
}

export type ZoneResult =
  | { ok: true; apex: string; nameservers: AuthoritativeServer[] }
  | {
      ok: false;
      /** The name whose NS query failed, or the queried name when no zone was found. */
      name: string;
      /** `resolvers_unreachable`: none of the configured resolvers answered at all (not the domain's fault). */
      reason: "error" | "resolvers_unreachable" | "nxdomain" | "no_zone" | "no_nameservers" | "addresses_refused";
      outcome: LookupOutcome | null;
      message: string;
      /** The zone's nameservers when they were found but none could be queried. */
      nameservers?: AuthoritativeServer[];
    };

/**
 * Asks the configured resolvers, failing over in order when one gives no usable answer.
 * Identical questions within a run are shared through the session. A configured server that
 * does not recurse answers with referrals: they are followed, nameserver by nameserver, as an
 * iterative resolver would (bounded, and only to addresses the gate admits).
 */
export class ResolverPool {
  constructor(
    private readonly session: QuerySession,
    private readonly resolvers: readonly ServerAddress[],
    private readonly gate: NameserverGate,
    /** Nameserver addresses found by earlier runs (many zones share their nameservers). */
    private readonly cache: SharedCache | null = null,
  ) {}

  async lookup(name: string, type: QueryType, followCname = true, nesting = 0): Promise<ResolverAnswer> {
    let first: ResolverAnswer | null = null;
    let best: ResolverAnswer | null = null;
    for (const server of this.resolvers) {
      let outcome = await this.session.lookup(server, name, type, { recursive: true, followCname });
      const referred = outcome.kind === "referral";
      if (outcome.kind === "referral") outcome = await this.followReferrals(outcome, type, followCname, nesting);
      const answer = { label: `resolver ${formatServerAddress(server)}`, server, outcome, referred };
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
        referred: false,
      }
    );
  }

  /**
   * Addresses of nameserver `name`: its glue, else its A records, else its AAAA records. IPv4
   * is enough to go on: the AAAA answer is awaited only when A gave no address the gate admits.
   * `ttl` is how long the addresses found may be relied on (null when none were found).
   */
  async nameserverAddresses(name: string, glue: readonly DnsRecord[], nesting = 0): Promise<NameserverAddresses> {
    const recordsIn = (records: readonly DnsRecord[], type: "A" | "AAAA", owner: string | null) =>
      records.flatMap((r) => (r.type === type && (owner === null || r.name === owner) ? [r] : []));
    const glued = [...recordsIn(glue, "A", name), ...recordsIn(glue, "AAAA", name)];
    if (glued.length > 0) return { addresses: glued.map((r) => r.address), ttl: Math.min(...glued.map((r) => r.ttl)) };
    const a = this.addressLookup(name, "A", nesting);
    const aaaa = this.addressLookup(name, "AAAA", nesting);
    const aAnswer = await a;
    // Records at the end of an alias chain carry the alias target's name: any A record answers.
    const v4 = aAnswer.outcome.kind === "answer" ? recordsIn(aAnswer.outcome.records, "A", null).map((r) => r.address) : [];
    if (v4.some((address) => this.gate.allows(address))) return { addresses: v4, ttl: outcomeTtl(aAnswer.outcome) };
    const aaaaAnswer = await aaaa;
    const v6 = aaaaAnswer.outcome.kind === "answer" ? recordsIn(aaaaAnswer.outcome.records, "AAAA", null).map((r) => r.address) : [];
    if (v4.length + v6.length > 0) {
      const ttls = [aAnswer, aaaaAnswer].flatMap((answer) => (answer.outcome.kind === "answer" ? [outcomeTtl(answer.outcome) ?? 0] : []));
      return { addresses: [...v4, ...v6], ttl: Math.min(...ttls) };
    }
    return {
      addresses: [],
      ttl: null,
      error: `no address found for ${name} (A: ${aAnswer.outcome.kind}, AAAA: ${aaaaAnswer.outcome.kind})`,
    };
  }

  /** A nameserver's A or AAAA records, from the shared cache while their TTL lasts. */
  private async addressLookup(name: string, type: "A" | "AAAA", nesting: number): Promise<ResolverAnswer> {
    const cached = this.cache?.store.answer(this.cache.scope, name, type);
    if (cached) return { label: "cache", server: { host: "", port: 0 }, outcome: cached, referred: false };
    const answer = await this.lookup(name, type, true, nesting);
    this.cache?.store.rememberAnswer(this.cache.scope, name, type, answer.outcome);
    return answer;
  }

  private async followReferrals(first: Referral, type: QueryType, followCname: boolean, nesting: number): Promise<LookupOutcome> {
    let referral = first;
    for (let hop = 0; hop < MAX_REFERRALS; hop += 1) {
      if (referral.zone === "" || !isSubdomainOf(referral.name, referral.zone)) {
        return { kind: "refused", message: `${referral.message}, which is not a zone above ${referral.name} (lame delegation)` };
      }
      // Asked for the NS records of the zone cut itself: the referral is the answer.
      if (type === "NS" && referral.zone === referral.name) return delegationAsAnswer(referral);
      const servers = await this.referredServers(referral, nesting);
      if (servers.kind !== "servers") return servers.outcome;
      let outcome: LookupOutcome = { kind: "timeout", message: `no nameserver of ${referral.zone} answered` };
      for (const server of servers.addresses.slice(0, 3)) {
        outcome = await this.session.lookup(server, referral.name, type, { recursive: false, followCname: false });
        if (!isErrorOutcome(outcome) || outcome.kind === "referral") break;
      }
      if (outcome.kind === "referral") {
        // Each step must go down the tree, or the walk could go round in circles.
        if (outcome.name === referral.name && !(outcome.zone !== referral.zone && isSubdomainOf(outcome.zone, referral.zone))) {
          return { kind: "refused", message: `${outcome.message}, not below ${referral.zone} (lame delegation)` };
        }
        referral = { ...outcome, chain: [...referral.chain, ...outcome.chain] };
        continue;
      }
      if (outcome.kind === "cname") {
        const chain = [...referral.chain, ...outcome.chain];
        if (!followCname) return { ...outcome, chain };
        // The alias target usually lives in another zone: start again from the top.
        if (nesting >= MAX_NESTING) return { kind: "cname_loop", chain, reason: "too_long" };
        const rest = await this.lookup(outcome.target, type, true, nesting + 1);
        return withChain(rest.outcome, chain);
      }
      return withChain(outcome, referral.chain);
    }
    return { kind: "refused", message: `${first.message}: more than ${MAX_REFERRALS} referrals` };
  }

  private async referredServers(
    referral: Referral,
    nesting: number,
  ): Promise<{ kind: "servers"; addresses: ServerAddress[] } | { kind: "none"; outcome: LookupOutcome }> {
    const names = referral.nameservers.slice(0, MAX_NAMESERVERS);
    const admitted = (addressesByName: Array<{ name: string; addresses: string[] }>) => {
      const allowed: ServerAddress[] = [];
      const refused: RefusedNameserver[] = [];
      for (const { name, addresses } of addressesByName) {
        const result = this.gate.admit(name, referral.zone, addresses);
        allowed.push(...result.allowed);
        refused.push(...result.refused);
      }
      return { allowed, refused };
    };
    const glued = names.map((name) => ({
      name,
      addresses: referral.glue.flatMap((r) => ((r.type === "A" || r.type === "AAAA") && r.name === name ? [r.address] : [])),
    }));
    let { allowed, refused } = admitted(glued);
    if (allowed.length === 0 && refused.length === 0 && nesting < MAX_NESTING) {
      // Nameservers outside the zone come without glue: look up the first two.
      const looked = await Promise.all(
        names.slice(0, 2).map(async (name) => ({ name, addresses: (await this.nameserverAddresses(name, [], nesting + 1)).addresses })),
      );
      ({ allowed, refused } = admitted(looked));
    }
    if (allowed.length > 0) return { kind: "servers", addresses: allowed };
    if (refused.length > 0) {
      return {
        kind: "none",
        outcome: { kind: "address_refused", message: `the nameservers of ${referral.zone} were not queried: ${refused.map((r) => `${r.name} ${r.reason}`).join("; ")}` },
      };
    }
    return { kind: "none", outcome: { kind: "network_error", message: `no address found for the nameservers of ${referral.zone} (${names.join(", ")})` } };
  }
}

function delegationAsAnswer(referral: Referral): LookupOutcome {
  return {
    kind: "answer",
    records: referral.nameservers.map((target) => ({ type: "NS", name: referral.zone, ttl: referral.ttl, target })),
    chain: referral.chain,
    ttl: referral.ttl,
    authoritative: false,
    additional: referral.glue,
  };
}

/** The outcome of a lookup that started further up an alias chain. */
function withChain(outcome: LookupOutcome, chain: CnameLink[]): LookupOutcome {
  if (chain.length === 0 || !("chain" in outcome)) return outcome;
  return { ...outcome, chain: [...chain, ...outcome.chain] } as LookupOutcome;
}

/** A cache shared across runs, and the part of it this run may use (its servers' scope). */
export interface SharedCache {
  store: DnsCache;
  scope: string;
}

/**
 * Finds the zone holding a name and its authoritative servers in as few round trips as
 * possible: NS queries for the name and every ancestor go out at once (the deepest one
 * with NS records is the zone cut), and glue from the resolver saves the address round.
 * Results are memoised per run, so records sharing ancestors share queries. With a shared
 * cache, a zone cut found by an earlier run is reused while every TTL it rests on lasts (the NS
 * records, their addresses, the negative answers for the names below the cut); the address
 * policy is applied again each time.
 */
export class ZoneFinder {
  private readonly zones = new Map<string, Promise<ZoneResult>>();
  private readonly nameservers = new Map<string, Promise<AuthoritativeServer>>();

  constructor(
    private readonly pool: ResolverPool,
    private readonly gate: NameserverGate,
    private readonly cache: SharedCache | null = null,
  ) {}

  findZone(name: string): Promise<ZoneResult> {
    const key = normalizeName(name);
    let pending = this.zones.get(key);
    if (!pending) {
      const cached = this.cache?.store.zoneCut(this.cache.scope, key) ?? null;
      pending = cached ? Promise.resolve(this.zoneFromCache(cached)) : this.discoverAndRemember(key);
      this.zones.set(key, pending);
    }
    return pending;
  }

  private async discoverAndRemember(name: string): Promise<ZoneResult> {
    const { zone, ttls } = await this.discover(name);
    if (this.cache && zone.ok && zone.nameservers.every((s) => s.addresses.length > 0 && !s.error)) {
      const cut: CachedZoneCut = { apex: zone.apex, nameservers: zone.nameservers.map((s) => ({ name: s.name, addresses: s.addresses })) };
      const addressTtls = zone.nameservers.map((s) => s.addressTtl ?? 0);
      this.cache.store.rememberZoneCut(this.cache.scope, name, cut, Math.min(...ttls, ...addressTtls));
    }
    return zone;
  }

  /** `ttls`: what the zone cut rests on besides the nameserver addresses (NS records, negative answers below the cut). */
  private async discover(name: string): Promise<{ zone: ZoneResult; ttls: number[] }> {
    // Top-level domains are left out: a TLD is never the zone an administrator edits, and
    // a name whose nearest cut would be the TLD does not exist.
    const all = nameAndAncestors(name);
    const candidates = (all.length > 1 ? all.slice(0, -1) : all).slice(0, MAX_CANDIDATES);
    // Speculative: all ancestors in parallel, so the cut is known after one round trip.
    const queries = candidates.map((candidate) => this.pool.lookup(candidate, "NS", false));
    const ttls: number[] = [];
    const failed = (zone: ZoneResult & { ok: false }) => ({ zone, ttls: [] });
    for (let i = 0; i < candidates.length; i += 1) {
      const candidate = candidates[i] ?? "";
      const answer = await queries[i];
      if (!answer) break;
      const outcome = answer.outcome;
      if (outcome.kind === "answer") {
        const ns = outcome.records.filter((r) => r.type === "NS" && r.name === candidate);
        if (ns.length > 0 && outcome.chain.length === 0) {
          ttls.push(...ns.map((r) => r.ttl));
          return { zone: await this.withNameservers(candidate, ns, outcome.additional), ttls };
        }
        ttls.push(outcomeTtl(outcome) ?? 0);
        continue;
      }
      if (outcome.kind === "nodata" || outcome.kind === "nxdomain" || outcome.kind === "cname" || outcome.kind === "cname_loop") {
        if (outcome.kind === "nxdomain" && i === 0 && candidates.length === 1) {
          return failed({ ok: false, name, reason: "nxdomain", outcome, message: `${name} does not exist (${answer.label} answered NXDOMAIN)` });
        }
        // Without a TTL for "nothing deeper", the cut is not kept at all.
        ttls.push(outcomeTtl(outcome) ?? 0);
        continue;
      }
      return failed({
        ok: false,
        name: candidate,
        reason: outcome.kind === "address_refused" ? "addresses_refused" : !answer.referred && RESOLVER_FAULTS.has(outcome.kind) ? "resolvers_unreachable" : "error",
        outcome,
        message: `${answer.label} could not answer for ${candidate}: ${outcome.message}`,
      });
    }
    const top = await queries[0];
    if (top?.outcome.kind === "nxdomain") {
      return failed({ ok: false, name, reason: "nxdomain", outcome: top.outcome, message: `${name} does not exist (${top.label} answered NXDOMAIN)` });
    }
    return failed({ ok: false, name, reason: "no_zone", outcome: top?.outcome ?? null, message: `no zone with NS records was found for ${name}` });
  }

  private async withNameservers(apex: string, ns: DnsRecord[], glue: DnsRecord[]): Promise<ZoneResult> {
    const names = [...new Set(ns.flatMap((r) => (r.type === "NS" ? [r.target] : [])))].sort().slice(0, MAX_NAMESERVERS);
    const servers = await Promise.all(names.map((n) => this.nameserver(apex, n, glue)));
    return zoneWithServers(apex, names, servers);
  }

  private zoneFromCache(cut: CachedZoneCut): ZoneResult {
    const servers = cut.nameservers.map((ns) => this.admitted(cut.apex, ns.name, { addresses: ns.addresses, ttl: null }));
    return zoneWithServers(
      cut.apex,
      cut.nameservers.map((ns) => ns.name),
      servers,
    );
  }

  private nameserver(zone: string, name: string, glue: DnsRecord[]): Promise<AuthoritativeServer> {
    const key = `${zone}|${name}`;
    let pending = this.nameservers.get(key);
    if (!pending) {
      pending = this.pool.nameserverAddresses(name, glue).then((found) => this.admitted(zone, name, found));
      this.nameservers.set(key, pending);
    }
    return pending;
  }

  /** Nameserver `name` of `zone` with the addresses found for it, as the address policy lets the run query it. */
  private admitted(zone: string, name: string, found: NameserverAddresses): AuthoritativeServer {
    // IPv4 first: every nameserver has it, and IPv6 may not be routed from here.
    const ordered = [...found.addresses.filter((a) => !a.includes(":")), ...found.addresses.filter((a) => a.includes(":"))];
    const { allowed, refused } = this.gate.admit(name, zone, ordered);
    const address = allowed[0] ?? null;
    const error = address ? undefined : refused.length > 0 ? `not queried: ${refused.map((r) => r.reason).join("; ")}` : found.error;
    return {
      name,
      zone,
      addresses: found.addresses,
      addressTtl: found.ttl,
      address,
      label: address ? `${name} (${formatServerAddress(address)})` : name,
      refused,
      ...(error ? { error } : {}),
    };
  }
}

function zoneWithServers(apex: string, names: string[], servers: AuthoritativeServer[]): ZoneResult {
  if (!servers.some((s) => s.address)) {
    // Had the policy let them through, the refused ones could have been asked: that is the reason.
    const refused = servers.some((s) => s.refused.length > 0);
    return {
      ok: false,
      name: apex,
      reason: refused ? "addresses_refused" : "no_nameservers",
      outcome: null,
      message: refused
        ? `none of the nameservers of ${apex} may be queried: ${servers.map((s) => `${s.name}: ${s.error ?? "no address"}`).join("; ")}`
        : `none of the nameservers of ${apex} (${names.join(", ")}) has an address: ${servers.map((s) => s.error ?? "").join("; ")}`,
      nameservers: servers,
    };
  }
  return { ok: true, apex, nameservers: servers };
}

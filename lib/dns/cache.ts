import { normalizeName } from "./names";
import type { CnameLink, DnsRecord, LookupOutcome, QueryType } from "./types";

/**
 * What a re-check may take from an earlier check instead of asking again: where a name's zone
 * begins, the names and addresses of that zone's nameservers, and positive resolver answers for
 * the names an SPF record includes. Everything is kept within its DNS TTL (capped); nothing that
 * decides a verdict is kept — the expected records are always asked afresh, at every
 * authoritative server, and a failure, a lame server or a negative answer is never stored.
 * docs/decisions/017-zone-cut-cache.md.
 *
 * One cache serves many runs (a background worker keeps one for all its checks). Entries are
 * scoped by the servers a run asks (`scope`), so runs pointed at different resolvers never share.
 */
export interface CachedNameserver {
  /** NS name. */
  name: string;
  /** Every address found for it (IPv4 first); the address policy is applied again on each use. */
  addresses: string[];
}

export interface CachedZoneCut {
  apex: string;
  nameservers: CachedNameserver[];
}

export type CachedAnswer = Extract<LookupOutcome, { kind: "answer" }>;

export interface DnsCacheOptions {
  /** Longest any entry is kept, whatever its TTL says (default 3600 s). */
  maxTtlSeconds?: number;
  /** Entries kept at most per kind; the oldest go first (default 20,000). */
  maxEntries?: number;
  /** Clock in milliseconds (tests pass their own). */
  now?: () => number;
}

export interface DnsCacheStats {
  zoneCutHits: number;
  zoneCutMisses: number;
  answerHits: number;
  answerMisses: number;
}

const DEFAULT_MAX_TTL_SECONDS = 3600;
const DEFAULT_MAX_ENTRIES = 20_000;

/**
 * Values kept for a TTL (capped), at most `maxEntries` of them (the oldest dropped first). The one
 * expiring store of this library: the verification cache below and the Node-style resolver's
 * cache (node-resolver.ts) are both built on it.
 */
export class TtlMap<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly limits: { maxEntries: number; maxTtlSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    return this.lookup(key)?.value;
  }

  /** The value and how many whole seconds it has left (at least 1 while it is kept). */
  getWithRemaining(key: string): { value: T; remainingSeconds: number } | undefined {
    const entry = this.lookup(key);
    return entry ? { value: entry.value, remainingSeconds: Math.max(1, Math.floor((entry.expiresAt - this.now()) / 1000)) } : undefined;
  }

  private lookup(key: string): { value: T; expiresAt: number } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Keeps `value` for `ttlSeconds`, at most the cap; a TTL that is null, zero or negative keeps nothing. */
  set(key: string, value: T, ttlSeconds: number | null): void {
    if (ttlSeconds === null || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) return;
    const ttl = Math.min(ttlSeconds, this.limits.maxTtlSeconds);
    if (ttl <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= Math.max(1, this.limits.maxEntries)) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttl * 1000 });
  }

  get size(): number {
    return this.entries.size;
  }
}

export class DnsCache {
  readonly stats: DnsCacheStats = { zoneCutHits: 0, zoneCutMisses: 0, answerHits: 0, answerMisses: 0 };
  private readonly zoneCuts: TtlMap<CachedZoneCut>;
  private readonly answers: TtlMap<CachedAnswer>;

  constructor(options: DnsCacheOptions = {}) {
    const limits = { maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES, maxTtlSeconds: options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS };
    this.zoneCuts = new TtlMap(limits, options.now);
    this.answers = new TtlMap(limits, options.now);
  }

  /** The zone holding `name`, as an earlier run found it, while every TTL it rests on lasts. */
  zoneCut(scope: string, name: string): CachedZoneCut | null {
    const found = this.zoneCuts.get(`${scope}|${normalizeName(name)}`) ?? null;
    if (found) this.stats.zoneCutHits += 1;
    else this.stats.zoneCutMisses += 1;
    return found;
  }

  rememberZoneCut(scope: string, name: string, cut: CachedZoneCut, ttlSeconds: number): void {
    this.zoneCuts.set(`${scope}|${normalizeName(name)}`, cut, ttlSeconds);
  }

  /** A positive resolver answer from an earlier run, while its TTL lasts. */
  answer(scope: string, name: string, type: QueryType): CachedAnswer | null {
    const found = this.answers.getWithRemaining(`${scope}|${normalizeName(name)}|${type}`);
    if (!found) {
      this.stats.answerMisses += 1;
      return null;
    }
    this.stats.answerHits += 1;
    // As a resolver counts TTLs down: what is built on a cached answer (a zone cut resting on a
    // nameserver's address) must not outlive it.
    const ttl = (original: number): number => Math.min(original, found.remainingSeconds);
    const outcome = found.value;
    return {
      ...outcome,
      ttl: ttl(outcome.ttl),
      records: outcome.records.map((record) => ({ ...record, ttl: ttl(record.ttl) })),
      chain: outcome.chain.map((link) => ({ ...link, ttl: ttl(link.ttl) })),
    };
  }

  /** Keeps `outcome` when it is a positive answer (nothing else is ever kept), for its TTL. */
  rememberAnswer(scope: string, name: string, type: QueryType, outcome: LookupOutcome): void {
    if (outcome.kind === "answer") this.answers.set(`${scope}|${normalizeName(name)}|${type}`, outcome, outcomeTtl(outcome));
  }

  get size(): { zoneCuts: number; answers: number } {
    return { zoneCuts: this.zoneCuts.size, answers: this.answers.size };
  }
}

/**
 * How long an outcome may be relied on, in seconds: the smallest TTL of its records and alias
 * links, or a negative answer's SOA-derived TTL. Null when the reply carried none (a negative
 * answer without SOA): nothing may be kept on its word.
 */
export function outcomeTtl(outcome: LookupOutcome): number | null {
  const chainTtls = (chain: CnameLink[]): number[] => chain.map((link) => link.ttl);
  switch (outcome.kind) {
    case "answer":
      return Math.min(outcome.ttl, ...outcome.records.map((r: DnsRecord) => r.ttl), ...chainTtls(outcome.chain));
    case "nodata":
    case "nxdomain":
      return outcome.negativeTtl === null ? null : Math.min(outcome.negativeTtl, ...chainTtls(outcome.chain));
    case "cname":
    case "cname_loop":
      return outcome.chain.length > 0 ? Math.min(...chainTtls(outcome.chain)) : null;
    case "referral":
      return outcome.ttl;
    default:
      return null;
  }
}

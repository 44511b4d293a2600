import { TtlMap } from "./cache";
import { lookup, type Exchanger } from "./lookup";
import type { ServerAddress } from "./servers";
import { QUERY_TYPES, type DnsRecord, type QueryType } from "./types";

/**
 * A `dns.promises.resolve`-shaped function over this library's transport, for code that takes a
 * resolver with Node's contract (mail authentication libraries do): `resolve(name, rrtype)` returns
 * what Node returns for that type and rejects with Node's error codes (ENOTFOUND for NXDOMAIN,
 * ENODATA for no records, ETIMEOUT, ESERVFAIL, EREFUSED…). Queries go only to the configured
 * resolvers — never to the operating system's — and every one is bounded by `timeoutMs` (and the
 * optional `signal`), so a slow DNS cannot hold the caller longer than its deadline.
 *
 * Types this library does not parse (PTR among them) answer ENODATA: for SPF that makes the
 * deprecated `ptr` mechanism (RFC 7208 §5.5) never match, which the RFC allows.
 */
export interface NodeResolverOptions {
  resolvers: readonly ServerAddress[];
  timeoutMs: number;
  /** Extra UDP attempts per server (default 0: the next resolver is the retry). */
  retries?: number;
  signal?: AbortSignal;
  /** Answers kept within their TTL across resolvers that share it (e.g. one per gateway). */
  cache?: ResolverCache;
}

export type NodeStyleResolver = (name: string, rrtype?: string) => Promise<unknown[]>;

/**
 * An answer the resolver contract expresses as a throw (no such name, no data, timed out): an
 * outcome, not a fault, so it carries no stack. mailauth gets one for most of a message's SPF and
 * DMARC lookups of a sender that publishes nothing; capturing a stack for each was about 2 % of
 * the gateway's CPU on unsigned mail (bench/inbound.ts profile).
 */
export class DnsResolveError extends Error {
  readonly code: string;
  readonly hostname: string;

  constructor(code: string, hostname: string, rrtype: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`query${rrtype.charAt(0)}${rrtype.slice(1).toLowerCase()} ${code} ${hostname}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = "DnsResolveError";
    this.code = code;
    this.hostname = hostname;
  }
}

function toNodeShape(type: QueryType, records: DnsRecord[]): unknown[] {
  return records.flatMap((record): unknown[] => {
    switch (record.type) {
      case "A":
      case "AAAA":
        return [record.address];
      case "MX":
        return [{ exchange: record.exchange, priority: record.preference }];
      case "TXT":
        return [record.strings];
      case "CNAME":
      case "NS":
        return [record.target];
      case "SOA":
        return type === "SOA"
          ? [
              {
                nsname: record.mname,
                hostmaster: record.rname,
                serial: record.serial,
                refresh: record.refresh,
                retry: record.retry,
                expire: record.expire,
                minttl: record.minimum,
              },
            ]
          : [];
    }
  });
}

type CachedAnswer = { records: unknown[] } | { code: "ENOTFOUND" | "ENODATA" };

/**
 * Definitive answers (records, NXDOMAIN, NODATA) kept for their TTL — a record's own, or for a
 * negative answer the SOA's negative TTL (RFC 2308; none without an SOA) — capped at `maxTtlSeconds`.
 * What says nothing about the name (timeouts, SERVFAIL, REFUSED) is never kept. Bounded: past
 * `maxEntries` the oldest entry goes.
 */
export class ResolverCache {
  private readonly entries: TtlMap<CachedAnswer>;

  constructor(limits: { maxEntries: number; maxTtlSeconds: number } = { maxEntries: 10_000, maxTtlSeconds: 3_600 }, now: () => number = Date.now) {
    this.entries = new TtlMap(limits, now);
  }

  get size(): number {
    return this.entries.size;
  }

  get(name: string, type: string): CachedAnswer | undefined {
    return this.entries.get(`${name.toLowerCase().replace(/\.$/, "")}|${type}`);
  }

  set(name: string, type: string, answer: CachedAnswer, ttlSeconds: number | null): void {
    this.entries.set(`${name.toLowerCase().replace(/\.$/, "")}|${type}`, answer, ttlSeconds);
  }
}

export function createNodeStyleResolver(options: NodeResolverOptions, send?: Exchanger): NodeStyleResolver {
  return async (name: string, rrtype = "A") => {
    const type = rrtype.toUpperCase();
    if (!(QUERY_TYPES as readonly string[]).includes(type)) throw new DnsResolveError("ENODATA", name, type);
    const cached = options.cache?.get(name, type);
    if (cached) {
      if ("code" in cached) throw new DnsResolveError(cached.code, name, type);
      // A copy: callers may change what they are given.
      return cached.records.map((record) => (Array.isArray(record) ? [...(record as unknown[])] : typeof record === "object" && record ? { ...record } : record));
    }
    if (options.resolvers.length === 0) throw new DnsResolveError("ECONNREFUSED", name, type);
    let lastCode = "ESERVFAIL";
    for (const server of options.resolvers) {
      if (options.signal?.aborted) throw new DnsResolveError("ETIMEOUT", name, type);
      const outcome = await lookup(
        server,
        name,
        type as QueryType,
        { timeoutMs: options.timeoutMs, retries: options.retries ?? 0, recursive: true, followCname: true, signal: options.signal },
        send,
      );
      switch (outcome.kind) {
        case "answer": {
          const records = toNodeShape(type as QueryType, outcome.records);
          options.cache?.set(name, type, { records }, Math.min(outcome.ttl, ...outcome.chain.map((link) => link.ttl)));
          return records;
        }
        case "nxdomain":
          options.cache?.set(name, type, { code: "ENOTFOUND" }, outcome.negativeTtl);
          throw new DnsResolveError("ENOTFOUND", name, type);
        case "nodata":
          options.cache?.set(name, type, { code: "ENODATA" }, outcome.negativeTtl);
          throw new DnsResolveError("ENODATA", name, type);
        case "cname":
          throw new DnsResolveError("ENODATA", name, type);
        case "invalid_name":
          throw new DnsResolveError("EBADNAME", name, type);
        // The rest say nothing about the name: another resolver may do better.
        case "cname_loop":
        case "servfail":
          lastCode = "ESERVFAIL";
          break;
        case "refused":
          lastCode = "EREFUSED";
          break;
        case "timeout":
          lastCode = "ETIMEOUT";
          break;
        case "network_error":
          lastCode = "ECONNREFUSED";
          break;
        case "malformed":
          lastCode = "EBADRESP";
          break;
      }
    }
    throw new DnsResolveError(lastCode, name, type);
  };
}

/** The abort reason of a finished run (nothing reads it). */
const FINISHED = "finished";

/**
 * Runs `work` with a node-style resolver for the given servers, bounded as a whole by `deadlineMs`:
 * past it every query still under way is aborted and the answer is `null` (each single query is
 * bounded by the smaller of `timeoutMs` and the deadline). Used by mail authentication and the
 * DKIM self-test, which hand the resolver to mailauth.
 */
export async function withResolverDeadline<T>(
  options: Omit<NodeResolverOptions, "signal"> & { deadlineMs: number },
  work: (resolver: (name: string, rrtype: string) => Promise<string[]>) => Promise<T>,
): Promise<T | null> {
  const { deadlineMs, ...resolverOptions } = options;
  // Made on the first query that misses the cache: a run answered from the cache (every message
  // but the first from a sender) needs no signal, and neither making one nor aborting it is free.
  let controller: AbortController | undefined;
  let expired = false;
  const resolver = createNodeStyleResolver({
    ...resolverOptions,
    timeoutMs: Math.min(options.timeoutMs, deadlineMs),
    get signal() {
      controller ??= new AbortController();
      if (expired) controller.abort(FINISHED);
      return controller.signal;
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      controller?.abort(FINISHED);
      resolve(null);
    }, deadlineMs);
  });
  try {
    return await Promise.race([work(resolver as (name: string, rrtype: string) => Promise<string[]>), deadline]);
  } finally {
    clearTimeout(timer);
    // Ends queries still under way. With a reason of our own: abort() without one builds a
    // DOMException (and its stack) on every call.
    controller?.abort(FINISHED);
  }
}

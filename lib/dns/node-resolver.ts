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
}

export type NodeStyleResolver = (name: string, rrtype?: string) => Promise<unknown[]>;

export class DnsResolveError extends Error {
  constructor(
    readonly code: string,
    readonly hostname: string,
    rrtype: string,
  ) {
    super(`query${rrtype.charAt(0)}${rrtype.slice(1).toLowerCase()} ${code} ${hostname}`);
    this.name = "DnsResolveError";
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

export function createNodeStyleResolver(options: NodeResolverOptions, send?: Exchanger): NodeStyleResolver {
  return async (name: string, rrtype = "A") => {
    const type = rrtype.toUpperCase();
    if (!(QUERY_TYPES as readonly string[]).includes(type)) throw new DnsResolveError("ENODATA", name, type);
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
        case "answer":
          return toNodeShape(type as QueryType, outcome.records);
        case "nxdomain":
          throw new DnsResolveError("ENOTFOUND", name, type);
        case "nodata":
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

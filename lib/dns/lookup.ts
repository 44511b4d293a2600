import { isSubdomainOf, normalizeName, tryAsciiName } from "./names";
import type { ServerAddress } from "./servers";
import { formatServerAddress } from "./servers";
import type { ExchangeOptions, ExchangeResult } from "./transport";
import { exchange } from "./transport";
import type { CnameLink, DnsRecord, LookupOutcome, QueryType } from "./types";
import type { ParsedReply } from "./wire";

export const DEFAULT_MAX_CNAME_DEPTH = 8;

export interface LookupOptions extends ExchangeOptions {
  /**
   * Follow a CNAME chain that the server's answer leaves unfinished by asking the same
   * server about the target. Right for recursive resolvers; for authoritative servers
   * the target usually lives in another zone, so the chain is reported as `cname`.
   * Default true.
   */
  followCname?: boolean;
  /** Longest CNAME chain accepted (default 8). */
  maxCnameDepth?: number;
}

/** Replaces the network for tests and for the per-run cache. */
export type Exchanger = (server: ServerAddress, name: string, type: QueryType, options: ExchangeOptions) => Promise<ExchangeResult>;

/** Sends `name`/`type` to `server` and interprets the reply. Never rejects. */
export async function lookup(
  server: ServerAddress,
  name: string,
  type: QueryType,
  options: LookupOptions,
  send: Exchanger = exchange,
): Promise<LookupOutcome> {
  try {
    return await lookupUnsafe(server, name, type, options, send);
  } catch (error) {
    // Defence in depth: everything below is written not to throw, but the contract is that
    // no server can make this function reject.
    return { kind: "malformed", message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function lookupUnsafe(
  server: ServerAddress,
  name: string,
  type: QueryType,
  options: LookupOptions,
  send: Exchanger,
): Promise<LookupOutcome> {
  const ascii = tryAsciiName(name);
  if (!ascii.ok) return { kind: "invalid_name", message: `cannot query "${name}": ${ascii.error}` };
  const follow = options.followCname ?? true;
  const maxDepth = options.maxCnameDepth ?? DEFAULT_MAX_CNAME_DEPTH;
  const chain: CnameLink[] = [];
  const visited = new Set<string>([ascii.name]);
  let current = ascii.name;
  // Each pass is one query; the chain grows every pass, so maxDepth bounds the loop.
  for (let pass = 0; pass <= maxDepth; pass += 1) {
    const result = await send(server, current, type, options);
    if (result.kind !== "reply") return result;
    const interpreted = interpretReply(result.reply, current, type, chain, visited, maxDepth, formatServerAddress(server));
    if (interpreted.kind !== "continue") return interpreted;
    if (!follow) return { kind: "cname", chain: [...chain], target: interpreted.target };
    current = interpreted.target;
  }
  return { kind: "cname_loop", chain: [...chain], reason: "too_long" };
}

type Interpretation = LookupOutcome | { kind: "continue"; target: string };

/**
 * Turns a reply into an outcome. `chain` and `visited` accumulate across the queries of
 * one lookup so that a loop spread over several replies is still caught.
 */
export function interpretReply(
  reply: ParsedReply,
  qname: string,
  type: QueryType,
  chain: CnameLink[],
  visited: Set<string>,
  maxDepth: number,
  where: string,
): Interpretation {
  switch (reply.rcode) {
    case "NOERROR":
    case "NXDOMAIN":
      break;
    case "SERVFAIL":
      return { kind: "servfail", message: `${where} answered SERVFAIL for ${qname} ${type}` };
    case "REFUSED":
      return { kind: "refused", message: `${where} refused to answer for ${qname} ${type}` };
    case "NOTIMP":
      return { kind: "refused", message: `${where} does not implement ${type} queries (NOTIMP)` };
    default:
      return { kind: "malformed", message: `${where} answered with response code ${reply.rcode}` };
  }

  // Walk the answer section from the question name: only records on the chain count,
  // anything else a server adds is ignored.
  let current = normalizeName(qname);
  if (type !== "CNAME") {
    for (let guard = 0; guard <= maxDepth + 1; guard += 1) {
      const link = reply.answers.find((r) => r.type === "CNAME" && r.name === current);
      if (!link || link.type !== "CNAME") break;
      if (visited.has(link.target)) {
        chain.push({ from: current, to: link.target, ttl: link.ttl });
        return { kind: "cname_loop", chain: [...chain], reason: "loop" };
      }
      chain.push({ from: current, to: link.target, ttl: link.ttl });
      if (chain.length > maxDepth) return { kind: "cname_loop", chain: [...chain], reason: "too_long" };
      visited.add(link.target);
      current = link.target;
    }
  }
  const records = reply.answers.filter((r) => r.type === type && r.name === current);
  const soa = reply.authorities.find((r): r is Extract<DnsRecord, { type: "SOA" }> => r.type === "SOA");
  const negativeTtl = soa ? Math.min(soa.ttl, soa.minimum) : null;
  const negative = { chain: [...chain], negativeTtl, soa: soa?.name ?? null, authoritative: reply.authoritative };

  if (reply.rcode === "NXDOMAIN") {
    if (records.length > 0) {
      return { kind: "malformed", message: `${where} answered NXDOMAIN for ${qname} ${type} but included ${type} records` };
    }
    return { kind: "nxdomain", ...negative };
  }
  if (records.length > 0) {
    return {
      kind: "answer",
      records,
      chain: [...chain],
      ttl: Math.min(...records.map((r) => r.ttl)),
      authoritative: reply.authoritative,
      additional: reply.additionals.filter((r) => r.type === "A" || r.type === "AAAA"),
    };
  }
  // A server that does not recurse answers a name below one of its zone cuts with a referral:
  // no answer, no SOA, the child zone's NS records in the authority section. Whether that is
  // a step to follow or a lame delegation depends on whom we asked: the caller decides.
  if (!reply.authoritative && !reply.recursionAvailable && !soa) {
    const referral = referralIn(reply, current, chain, where);
    if (referral) return referral;
  }
  const endedAtAlias = current !== normalizeName(qname);
  // A recursive resolver that followed the chain and found nothing says so with an SOA;
  // a chain without one stops where the server's knowledge stops.
  if (endedAtAlias && !soa) return { kind: "continue", target: current };
  return { kind: "nodata", ...negative };
}

function referralIn(reply: ParsedReply, name: string, chain: CnameLink[], where: string): Extract<LookupOutcome, { kind: "referral" }> | null {
  const ns = reply.authorities.flatMap((r) => (r.type === "NS" ? [r] : []));
  if (ns.length === 0) return null;
  // The deepest zone above the name is the one it is sent to; a referral elsewhere (upward, or
  // to an unrelated zone) is kept as it came, for the caller to reject.
  const owners = [...new Set(ns.map((r) => r.name))];
  const enclosing = owners.filter((owner) => owner !== "" && isSubdomainOf(name, owner)).sort((a, b) => b.length - a.length);
  const zone = enclosing[0] ?? owners[0] ?? "";
  const delegation = ns.filter((r) => r.name === zone);
  const nameservers = [...new Set(delegation.map((r) => r.target))];
  return {
    kind: "referral",
    name,
    chain: [...chain],
    zone,
    nameservers,
    ttl: Math.min(...delegation.map((r) => r.ttl)),
    glue: reply.additionals.filter((r) => (r.type === "A" || r.type === "AAAA") && nameservers.includes(r.name)),
    message: `${where} does not recurse: it referred ${name} to ${zone || "the root"} (${nameservers.join(", ")})`,
  };
}

/**
 * A run-scoped view of the network: identical exchanges share one in-flight promise, and
 * every exchange observes the run's abort signal.
 */
export class QuerySession {
  private readonly exchanges = new Map<string, Promise<ExchangeResult>>();
  private readonly lookups = new Map<string, Promise<LookupOutcome>>();
  /** Number of distinct exchanges actually sent (cache misses). */
  sent = 0;

  constructor(
    private readonly defaults: { timeoutMs: number; retries: number; signal?: AbortSignal; maxCnameDepth?: number },
    private readonly send: Exchanger = exchange,
  ) {}

  private readonly cachedExchange: Exchanger = (server, name, type, options) => {
    const key = `${formatServerAddress(server)}|${options.recursive ? "rd" : "nord"}|${normalizeName(name)}|${type}`;
    let pending = this.exchanges.get(key);
    if (!pending) {
      this.sent += 1;
      pending = this.send(server, name, type, options);
      this.exchanges.set(key, pending);
    }
    return pending;
  };

  lookup(server: ServerAddress, name: string, type: QueryType, opts: { recursive: boolean; followCname?: boolean }): Promise<LookupOutcome> {
    const follow = opts.followCname ?? true;
    const key = `${formatServerAddress(server)}|${opts.recursive ? "rd" : "nord"}|${follow ? "f" : "nf"}|${normalizeName(name)}|${type}`;
    let pending = this.lookups.get(key);
    if (!pending) {
      pending = lookup(
        server,
        name,
        type,
        {
          timeoutMs: this.defaults.timeoutMs,
          retries: this.defaults.retries,
          signal: this.defaults.signal,
          maxCnameDepth: this.defaults.maxCnameDepth,
          recursive: opts.recursive,
          followCname: follow,
        },
        this.cachedExchange,
      );
      this.lookups.set(key, pending);
    }
    return pending;
  }
}

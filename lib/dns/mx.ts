import { setMaxListeners } from "node:events";

import type { AuthoritativeServer } from "./discovery";
import { NameserverGate, ResolverPool, ZoneFinder } from "./discovery";
import { QuerySession } from "./lookup";
import { isIpLiteral, normalizeName, tryAsciiName } from "./names";
import type { ServerAddress } from "./servers";
import type { LookupOutcome, QueryType } from "./types";
import { isErrorOutcome } from "./types";
import type { VerifyOptions } from "./verify";

/**
 * Where mail for a domain goes, as a sending MTA would find it (RFC 5321 §5.1), but from the
 * domain's authoritative servers, asked directly: a record changed a minute ago counts, and no
 * resolver's cache hides it. The addresses of each exchanger come from its own zone's
 * authoritative servers too. Nothing here connects to the exchangers: the caller decides which
 * addresses it may contact.
 */
export interface MailExchanger {
  exchange: string;
  preference: number;
  /** IPv4 first, then IPv6, as found; empty when none was found (`error` says why). */
  addresses: string[];
  error: string | null;
}

export type MxLookup =
  | {
      kind: "exchangers";
      domain: string;
      /** Best (lowest preference) first; equal preferences in name order. */
      exchangers: MailExchanger[];
      /** `ns1.acme.com (127.0.0.2:53)`: the authoritative server whose answer was used. */
      answeredBy: string;
    }
  /** RFC 7505 "null MX" (`0 .`): the domain says it accepts no mail. */
  | { kind: "null_mx"; domain: string; answeredBy: string }
  /** The domain has no MX records (or does not exist). */
  | { kind: "no_mx"; domain: string; answeredBy: string; nxdomain: boolean }
  /** DNS could not say: no zone found, servers failed, refused by the address policy, deadline. */
  | { kind: "error"; domain: string; message: string };

/** More exchangers than this are never tried by anyone. */
const MAX_EXCHANGERS = 5;

type MxOptions = Pick<VerifyOptions, "resolvers" | "timeoutMs" | "retries" | "deadlineMs" | "authoritativePort" | "allowPrivateNameservers">;

export async function findMailExchangers(domain: string, options: MxOptions): Promise<MxLookup> {
  const ascii = tryAsciiName(domain);
  if (!ascii.ok) return { kind: "error", domain, message: `"${domain}" is not a valid domain name: ${ascii.error}` };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const deadlineMs = options.deadlineMs ?? 8000;
  const deadline = setTimeout(() => controller.abort(), Math.max(0, deadlineMs));
  try {
    const session = new QuerySession({ timeoutMs: options.timeoutMs ?? 1500, retries: options.retries ?? 1, signal: controller.signal });
    const gate = new NameserverGate({ allowPrivate: options.allowPrivateNameservers ?? false }, options.authoritativePort ?? 53);
    const pool = new ResolverPool(session, options.resolvers, gate);
    const lookup = new AuthoritativeLookup(session, pool, new ZoneFinder(pool, gate));
    const result = await lookupMx(ascii.name, lookup);
    if (result.kind === "error" && controller.signal.aborted) {
      return { ...result, message: `${result.message} (the lookup reached its deadline of ${deadlineMs} ms)` };
    }
    return result;
  } finally {
    clearTimeout(deadline);
  }
}

async function lookupMx(name: string, lookup: AuthoritativeLookup): Promise<MxLookup> {
  const answer = await lookup.ask(name, "MX");
  if (!answer.ok) return { kind: "error", domain: name, message: answer.message };
  const { outcome, answeredBy } = answer;
  if (outcome.kind === "nxdomain") return { kind: "no_mx", domain: name, answeredBy, nxdomain: true };
  if (outcome.kind !== "answer") return { kind: "no_mx", domain: name, answeredBy, nxdomain: false };
  const records = outcome.records.flatMap((record) => (record.type === "MX" ? [record] : []));
  if (records.length === 0) return { kind: "no_mx", domain: name, answeredBy, nxdomain: false };
  if (records.length === 1 && normalizeName(records[0]!.exchange) === "") return { kind: "null_mx", domain: name, answeredBy };
  const sorted = records
    .map((record) => ({ exchange: normalizeName(record.exchange), preference: record.preference }))
    .filter((record) => record.exchange !== "")
    .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange))
    .slice(0, MAX_EXCHANGERS);
  const exchangers = await Promise.all(sorted.map(async (record) => ({ ...record, ...(await addressesOf(record.exchange, lookup)) })));
  return { kind: "exchangers", domain: name, exchangers, answeredBy };
}

async function addressesOf(exchange: string, lookup: AuthoritativeLookup): Promise<{ addresses: string[]; error: string | null }> {
  // Senders do not connect to an address written as an MX name (RFC 5321 §5.1 asks for a host name).
  if (isIpLiteral(exchange)) return { addresses: [], error: `the MX record names an IP address (${exchange}) instead of a host name` };
  const [a, aaaa] = await Promise.all([lookup.ask(exchange, "A"), lookup.ask(exchange, "AAAA")]);
  const found = (answer: Awaited<ReturnType<AuthoritativeLookup["ask"]>>, type: "A" | "AAAA") =>
    answer.ok && answer.outcome.kind === "answer" ? answer.outcome.records.flatMap((record) => (record.type === type ? [record.address] : [])) : [];
  const addresses = [...found(a, "A"), ...found(aaaa, "AAAA")];
  if (addresses.length > 0) return { addresses, error: null };
  if (!a.ok) return { addresses, error: `could not look up ${exchange}: ${a.message}` };
  return { addresses, error: `${exchange} has no address in DNS (A: ${a.outcome.kind})` };
}

type AskResult = { ok: true; outcome: LookupOutcome; answeredBy: string } | { ok: false; message: string };

/**
 * One question to a name's own zone: the zone's nameservers are asked in turn until one answers
 * definitively and with authority. An alias (CNAME) is followed through the resolvers, since its
 * target usually lives in another zone.
 */
class AuthoritativeLookup {
  constructor(
    private readonly session: QuerySession,
    private readonly pool: ResolverPool,
    private readonly finder: ZoneFinder,
  ) {}

  async ask(name: string, type: QueryType): Promise<AskResult> {
    const zone = await this.finder.findZone(name);
    if (!zone.ok) {
      if (zone.reason === "nxdomain" && zone.outcome) return { ok: true, outcome: zone.outcome, answeredBy: "the resolver" };
      return { ok: false, message: zone.message };
    }
    const servers = zone.nameservers.filter((server): server is AuthoritativeServer & { address: ServerAddress } => server.address !== null);
    const problems: string[] = [];
    for (const server of servers.slice(0, 3)) {
      const outcome = await this.session.lookup(server.address, name, type, { recursive: false, followCname: false });
      if (outcome.kind === "cname") {
        const followed = await this.pool.lookup(outcome.target, type);
        if (isErrorOutcome(followed.outcome)) return { ok: false, message: `${name} is an alias of ${outcome.target}, which could not be looked up` };
        return { ok: true, outcome: followed.outcome, answeredBy: `${server.label}, then ${followed.label} for the alias ${outcome.target}` };
      }
      const definitive = outcome.kind === "answer" || outcome.kind === "nodata" || outcome.kind === "nxdomain";
      if (definitive && outcome.authoritative) return { ok: true, outcome, answeredBy: server.label };
      problems.push(definitive ? `${server.label} answered without authority` : `${server.label}: ${"message" in outcome ? outcome.message : outcome.kind}`);
    }
    if (servers.length === 0) return { ok: false, message: `no nameserver of ${zone.apex} could be asked` };
    return { ok: false, message: `no nameserver of ${zone.apex} answered for ${name} ${type}: ${problems.join("; ")}` };
  }
}

/** Record types this library queries and understands. Others in replies are ignored. */
export type QueryType = "A" | "AAAA" | "CNAME" | "NS" | "MX" | "TXT" | "SOA";

export const QUERY_TYPES: readonly QueryType[] = ["A", "AAAA", "CNAME", "NS", "MX", "TXT", "SOA"];

interface RecordBase {
  /** Owner name, ASCII lowercase, no trailing dot. */
  name: string;
  ttl: number;
}

export type DnsRecord =
  | (RecordBase & { type: "A" | "AAAA"; address: string })
  | (RecordBase & { type: "CNAME" | "NS"; target: string })
  | (RecordBase & { type: "MX"; preference: number; exchange: string })
  /** `strings` are the character-strings as sent; `value` is them joined (what receivers read). */
  | (RecordBase & { type: "TXT"; strings: string[]; value: string })
  | (RecordBase & {
      type: "SOA";
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    });

export type RecordOf<T extends QueryType> = Extract<DnsRecord, { type: T }>;

/** One link of a CNAME chain: `from` is an alias of `to`. */
export interface CnameLink {
  from: string;
  to: string;
  ttl: number;
}

/**
 * How a lookup ended. Every lookup resolves to one of these; none throws.
 * - `answer`: records of the asked type (at the end of `chain` when the name was an alias).
 * - `nxdomain` / `nodata`: definitive negative; `negativeTtl` = min(SOA TTL, SOA minimum)
 *   from the authority section, or null when the server sent no SOA.
 * - `cname`: the server answered with an alias chain ending at `target` and the lookup was
 *   told not to follow it (authoritative servers are not asked about other zones).
 * - `cname_loop`: the chain loops or is longer than the allowed depth.
 * - `referral`: a server that does not recurse sent the asker to the nameservers of `zone` (NS
 *   records in the authority section, their addresses as glue). Followed when it came from a
 *   configured resolver; from a zone's own nameserver it is a lame delegation (`refused`).
 * - `servfail`, `refused`, `timeout`, `network_error`, `malformed`: no usable answer.
 * - `address_refused`: the only servers that could answer are at addresses the nameserver
 *   address policy does not query (loopback, private…); nothing was sent to them.
 * - `invalid_name`: the name could not be put on the wire; nothing was sent.
 */
export type LookupOutcome =
  | {
      kind: "answer";
      records: DnsRecord[];
      chain: CnameLink[];
      ttl: number;
      authoritative: boolean;
      /** A/AAAA records from the additional section (glue), keyed by nothing: filter by name. */
      additional: DnsRecord[];
    }
  | { kind: "nxdomain"; chain: CnameLink[]; negativeTtl: number | null; soa: string | null; authoritative: boolean }
  | { kind: "nodata"; chain: CnameLink[]; negativeTtl: number | null; soa: string | null; authoritative: boolean }
  | { kind: "cname"; chain: CnameLink[]; target: string }
  | { kind: "cname_loop"; chain: CnameLink[]; reason: "loop" | "too_long" }
  | {
      kind: "referral";
      /** The name the referral is for: the question, or the end of `chain`. */
      name: string;
      chain: CnameLink[];
      /** Owner of the NS records: the zone the asker is sent to. */
      zone: string;
      nameservers: string[];
      /** Smallest TTL of those NS records: how long the delegation may be relied on. */
      ttl: number;
      /** A/AAAA records from the additional section; only those of `nameservers` are used. */
      glue: DnsRecord[];
      message: string;
    }
  | { kind: "servfail"; message: string }
  | { kind: "refused"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "network_error"; message: string }
  | { kind: "malformed"; message: string }
  | { kind: "address_refused"; message: string }
  | { kind: "invalid_name"; message: string };

export type OutcomeKind = LookupOutcome["kind"];

/** Outcomes that carry no information about the name: a verdict cannot rest on them. */
export const ERROR_KINDS: ReadonlySet<OutcomeKind> = new Set<OutcomeKind>([
  "referral",
  "servfail",
  "refused",
  "timeout",
  "network_error",
  "malformed",
  "address_refused",
  "invalid_name",
]);

export function isErrorOutcome(outcome: LookupOutcome): boolean {
  return ERROR_KINDS.has(outcome.kind);
}

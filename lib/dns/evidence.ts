import type { AuthoritativeServer, RefusedNameserver, ResolverAnswer, ZoneResult } from "./discovery";
import type { ExpectedRecord } from "./expected";
import type { SpfLookupCount } from "./spf";
import type { DnsRecord, LookupOutcome } from "./types";
import { isErrorOutcome } from "./types";

/** What one authoritative server said about the expected name. */
export interface AuthObservation {
  server: AuthoritativeServer;
  outcome: LookupOutcome;
  /** When `outcome` is a `cname`: the resolver's answer for the alias target. */
  followed: LookupOutcome | null;
  /**
   * Set when the server is not authoritative for the name (it answered like a cache, or sent a
   * referral): what it did, e.g. `referred the question to com`. Its outcome is then `refused`.
   */
  lame: string | null;
}

export interface DoubledProbe {
  /** e.g. `_x.help.acme.com.acme.com`. */
  name: string;
  /** The suffix that was appended: the zone apex or the domain. */
  suffix: string;
  observations: Array<{ server: AuthoritativeServer; outcome: LookupOutcome }>;
}

/** An expected MX at the same name: ours too, so it never competes with the record checked. */
export interface SiblingMx {
  exchange: string;
  preference: number;
}

/** Everything gathered about one expected record during a run. */
export interface RecordEvidence {
  expected: ExpectedRecord;
  /** ASCII name, or null when the expected name is not a valid DNS name. */
  name: string | null;
  domain: string;
  zone: ZoneResult | null;
  auth: AuthObservation[];
  resolver: ResolverAnswer | null;
  doubled: DoubledProbe[];
  /** Resolver lookups of MX exchanges (A, CNAMEs followed), keyed by normalized exchange. */
  mxTargets: Map<string, LookupOutcome>;
  /** Every other expected MX at the same name. */
  siblingMx: SiblingMx[];
  /** SPF lookup counts keyed by the exact record text. */
  spfCounts: Map<string, SpfLookupCount>;
  /** Resolver lookups of DMARC report authorisations (`<domain>._report._dmarc.<destination>` TXT), keyed by that name. */
  dmarcReportAuth: Map<string, LookupOutcome>;
  /** Nameservers of this record's zone that the address policy kept the run from querying. */
  refused: RefusedNameserver[];
  now: Date;
  /** The run's deadline passed before every answer arrived. */
  deadlineHit: boolean;
}

/** What one authoritative server effectively serves at the name, or why it could not say. */
export type ServerView =
  | { observation: AuthObservation; status: "records"; records: DnsRecord[]; outcome: LookupOutcome }
  | { observation: AuthObservation; status: "error"; outcome: LookupOutcome };

export type DefinitiveView = Extract<ServerView, { status: "records" }>;
export type UnusableView = Extract<ServerView, { status: "error" }>;

/** Records of the expected type a server serves at the name, following an alias through the resolver. */
export function serverView(observation: AuthObservation, expected: ExpectedRecord): ServerView {
  const { outcome } = observation;
  const records = (list: DnsRecord[]): ServerView => ({ observation, status: "records", records: typed(expected, list), outcome });
  switch (outcome.kind) {
    case "answer":
      return records(outcome.records);
    case "nodata":
    case "nxdomain":
    case "cname_loop":
      return records([]);
    case "cname": {
      const followed = observation.followed;
      if (followed?.kind === "answer") return records(followed.records);
      if (followed && isErrorOutcome(followed)) return { observation, status: "error", outcome: followed };
      return records([]);
    }
    default:
      return { observation, status: "error", outcome };
  }
}

export function typed(expected: ExpectedRecord, records: readonly DnsRecord[]): DnsRecord[] {
  return records.filter((r) => r.type === expected.type);
}

export function txtValues(records: readonly DnsRecord[]): string[] {
  return records.flatMap((r) => (r.type === "TXT" ? [r.value] : []));
}

/** How a record is shown in `found` and messages: TXT joined, MX as `10 mx.example.net`. */
export function formatValue(record: DnsRecord): string {
  switch (record.type) {
    case "TXT":
      return record.value;
    case "MX":
      return `${record.preference} ${record.exchange || "."}`;
    case "A":
    case "AAAA":
      return record.address;
    case "CNAME":
    case "NS":
      return record.target;
    case "SOA":
      return `${record.mname} ${record.rname} ${record.serial}`;
  }
}

export function outcomeMessage(outcome: LookupOutcome): string {
  return "message" in outcome ? outcome.message : outcome.kind;
}

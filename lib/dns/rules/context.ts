import type { ResolverAnswer } from "../discovery";
import type { DefinitiveView, RecordEvidence, ServerView, UnusableView } from "../evidence";
import type { ExpectedRecord } from "../expected";
import type { Severity, Verdict } from "../report";
import type { DnsRecord, LookupOutcome } from "../types";

/**
 * Everything a diagnosis rule needs about one expected record, decided once: the verdict, each
 * server's view, and the view the value diagnoses explain (what most receivers will see).
 */
export interface RecordContext<E extends ExpectedRecord = ExpectedRecord> {
  expected: E;
  /** ASCII name, no trailing dot. */
  name: string;
  /** Zone apex, or the domain when no zone was found: advice names are relative to it. */
  relativeTo: string;
  /** The name as typed at the DNS host for `relativeTo` (`_x.help`, `@`). */
  enterName: string;
  /** `SPF`, `DKIM`, `DMARC`, `TXT`, `MX`. */
  typeLabel: string;
  evidence: RecordEvidence;
  verdict: Verdict;
  servers: ServerView[];
  definitive: DefinitiveView[];
  unusable: UnusableView[];
  /** Definitive servers grouped by what they serve; more than one group is a disagreement. */
  groups: DefinitiveView[][];
  /** Some definitive servers satisfy the record and some do not: the disagreement is why it fails. */
  splitVerdict: boolean;
  /** The most common definitive answer, or null when no authoritative server answered. */
  majority: DefinitiveView | null;
  /** Records of the expected type that value diagnoses explain (majority, else the resolver's). */
  records: DnsRecord[];
  /** Where `records` came from, null when nothing usable was seen at all. */
  viewOutcome: LookupOutcome | null;
  /** `records` satisfy the expected record. */
  satisfied: boolean;
  /** The majority answer is an alias (a CNAME chain, or a loop). */
  aliased: boolean;
  /** The record was found at a doubled name: "missing" advice would be wrong. */
  doubledFound: boolean;
  resolver: ResolverAnswer | null;
  resolverRecords: DnsRecord[];
}

export const quote = (value: string): string => `\`${value}\``;

export function shorten(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 12)}…${value.slice(-10)}`;
}

/** A problem that fails the record when the verdict is not verified, and only warns otherwise. */
export function severityForVerdict(ctx: RecordContext): Severity {
  return ctx.verdict === "verified" ? "warning" : "error";
}

/**
 * "Missing" or "wrong value" advice would mislead: the record sits at a doubled name, behind an
 * alias, on some servers only, or only the resolver (possibly stale) could be asked.
 */
export function quietMissing(ctx: RecordContext): boolean {
  return ctx.doubledFound || ctx.aliased || ctx.majority === null || ctx.splitVerdict;
}

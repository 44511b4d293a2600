import type { RecordEvidence } from "./evidence";
import { txtValues } from "./evidence";
import type { ExpectedRecord } from "./expected";
import { isIpLiteral, normalizeName, sameName } from "./names";
import type { SpfIncludePlacement } from "./spf";
import { isSpfRecord, locateSpfInclude, SPF_LOOKUP_LIMIT, spfIncludeAfterAll, spfIncludes } from "./spf";
import type { SpfSyntaxError } from "./spf-syntax";
import { spfSyntaxErrors } from "./spf-syntax";
import { dkimPublicKey, dkimRecordUsable, dmarcPolicy, isDkimRecord, isDmarcRecord } from "./txt";
import type { DnsRecord, RecordOf } from "./types";

/**
 * When one server's records satisfy an expected record: what the verdict rests on. Each rule
 * asks what receivers do with the records, not only whether a value is present.
 */
export function recordsSatisfy(expected: ExpectedRecord, records: readonly DnsRecord[], evidence: RecordEvidence): boolean {
  switch (expected.kind) {
    case "ownership":
      return txtValues(records).includes(expected.value);
    case "dkim":
      return dkimKeyPublished(expected.value, txtValues(records));
    case "dmarc": {
      // Without a valid p= receivers read the record as p=none at best (RFC 7489 §6.6.3): not what it says.
      const dmarc = txtValues(records).filter(isDmarcRecord);
      return dmarc.length === 1 && dmarcPolicy(dmarc[0] ?? "") !== null;
    }
    case "spf": {
      const spf = txtValues(records).filter(isSpfRecord);
      return spf.length === 1 && spfPassesOurMail(assessSpf(spf[0] ?? "", expected.include, evidence));
    }
    case "mx":
      return hasOurMx(expected, records) && !hasNullMx(records) && competingMx(expected, records, evidence).competitors.length === 0;
  }
}

/** The value alone, as one TXT record (or a piece of one), would satisfy the expected record. */
export function valueSatisfies(expected: ExpectedRecord, value: string, evidence: RecordEvidence): boolean {
  if (expected.kind === "mx") return false;
  return recordsSatisfy(expected, [{ type: "TXT", name: "", ttl: 0, strings: [value], value }], evidence);
}

/**
 * Our key, in records receivers use for our signatures (tags that neither hide the key nor mark mail
 * unsigned); and no other key record at the selector: with several, receivers may pick any one
 * (RFC 6376 §3.6.2.2 leaves the result undefined), and signatures fail against another key.
 */
function dkimKeyPublished(expectedValue: string, values: readonly string[]): boolean {
  const key = dkimPublicKey(expectedValue);
  const records = values.filter(isDkimRecord);
  return key !== null && records.length > 0 && records.every((v) => dkimPublicKey(v) === key && dkimRecordUsable(v, expectedValue));
}

export interface SpfAssessment {
  /** Where receivers meet our include; null when the record's lookups were not counted. */
  placement: SpfIncludePlacement | null;
  /** Lookups of the whole record (null when not counted). */
  lookups: number | null;
  /** Whether the count is exact (no DNS error or limit cut it short). */
  complete: boolean;
  /** Our include is written in the record (passing qualifier), wherever it stands. */
  written: boolean;
  afterAll: boolean;
  /** Terms receivers reject: any one makes the whole record a permanent error (RFC 7208 §4.6). */
  syntaxErrors: SpfSyntaxError[];
}

/** What receivers do with one SPF record for mail sent through our include. */
export function assessSpf(text: string, include: string, evidence: RecordEvidence): SpfAssessment {
  const count = evidence.spfCounts.get(text);
  const written = spfIncludes(text, include);
  const syntaxErrors = spfSyntaxErrors(text);
  if (!count) return { placement: null, lookups: null, complete: false, written, afterAll: spfIncludeAfterAll(text, include), syntaxErrors };
  const placement = locateSpfInclude(count, include);
  return { placement, lookups: count.lookups, complete: count.complete, written, afterAll: placement.afterAll, syntaxErrors };
}

/**
 * Mail through our include passes: the record is valid SPF, receivers reach our include (not
 * after `all`, no permanent error or third void lookup before it), our own SPF record there is
 * usable, and they can evaluate all of it within the 10-lookup limit. A count cut short by DNS
 * errors is a lower bound: it fails the record only when even that bound is over the limit.
 */
export function spfPassesOurMail(assessment: SpfAssessment): boolean {
  const { placement } = assessment;
  if (assessment.syntaxErrors.length > 0) return false;
  if (!placement) return assessment.written && !assessment.afterAll;
  return placement.found && placement.permerrorBefore === null && placement.permerrorAt === null && placement.voidBefore.length === 0 && !spfIncludeBeyondLimit(placement);
}

export function spfIncludeBeyondLimit(placement: SpfIncludePlacement): boolean {
  return placement.before + Math.max(1, placement.cost) > SPF_LOOKUP_LIMIT;
}

export function hasOurMx(expected: Extract<ExpectedRecord, { kind: "mx" }>, records: readonly DnsRecord[]): boolean {
  return records.some((r) => r.type === "MX" && sameName(r.exchange, expected.exchange) && r.preference === expected.preference);
}

/** A null MX (`MX 0 .`, RFC 7505): the domain says it accepts no mail, and it must stand alone. */
export function hasNullMx(records: readonly DnsRecord[]): boolean {
  return records.some((r) => r.type === "MX" && normalizeName(r.exchange) === "");
}

/** A host whose name does not exist (NXDOMAIN for its address): senders skip its MX and try the next. */
export function mxTargetMissing(host: string, evidence: RecordEvidence): boolean {
  return evidence.mxTargets.get(host)?.kind === "nxdomain";
}

export interface MxCompetition {
  competitors: Array<RecordOf<"MX">>;
  /** The best preference our hosts will have (the expected one of each of ours that is published). */
  ourBest: { exchange: string; preference: number } | null;
}

/**
 * MX hosts that are not ours with a preference equal to or better (lower) than our best one:
 * senders try them first, or share the mail with them. Our best is judged by the preferences we
 * asked for, so a mistyped preference of ours is one problem (its own diagnosis), not two.
 * IP literals and hosts whose names do not exist are skipped by senders, an alias of one of our
 * hosts delivers to us, and a null MX refuses mail rather than taking it: none of them competes
 * (each has its own diagnosis).
 */
export function competingMx(expected: Extract<ExpectedRecord, { kind: "mx" }>, records: readonly DnsRecord[], evidence: RecordEvidence): MxCompetition {
  const mx = records.flatMap((r) => (r.type === "MX" ? [r] : []));
  const asked = new Map<string, number>([[normalizeName(expected.exchange), expected.preference]]);
  for (const sibling of evidence.siblingMx) {
    const host = normalizeName(sibling.exchange);
    asked.set(host, Math.min(sibling.preference, asked.get(host) ?? Infinity));
  }
  const published = [...asked.entries()].filter(([host]) => mx.some((r) => r.exchange === host));
  if (published.length === 0) return { competitors: [], ourBest: null };
  const [exchange, preference] = published.reduce((best, entry) => (entry[1] < best[1] ? entry : best));
  const aliasOfOurs = (host: string): boolean => {
    const target = evidence.mxTargets.get(host);
    return target?.kind === "answer" && target.chain.some((link) => asked.has(normalizeName(link.to)));
  };
  const competitors = mx.filter(
    (r) =>
      r.exchange !== "" &&
      !asked.has(r.exchange) &&
      !isIpLiteral(r.exchange) &&
      r.preference <= preference &&
      !aliasOfOurs(r.exchange) &&
      !mxTargetMissing(r.exchange, evidence),
  );
  return { competitors, ourBest: { exchange, preference } };
}

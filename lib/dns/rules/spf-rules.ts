import type { ExpectedRecord } from "../expected";
import { normalizeName } from "../names";
import type { Diagnosis } from "../report";
import type { SpfAssessment } from "../satisfaction";
import { assessSpf, spfIncludeBeyondLimit } from "../satisfaction";
import type { SpfIncludePlacement } from "../spf";
import { isSpfRecord, isSpfRecordAfterLeadingSpace, mergeSpfRecords, SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, spfIncludes, spfIncludeWithoutPass, spfWithIncludeFirst } from "../spf";
import { spfWithSyntaxFixed } from "../spf-syntax";
import type { RecordContext } from "./context";
import { quote, shorten } from "./context";

type SpfContext = RecordContext<Extract<ExpectedRecord, { kind: "spf" }>>;

interface OneSpfRecord {
  ctx: SpfContext;
  text: string;
  /** `include:_spf.example.net`. */
  ours: string;
  assessment: SpfAssessment;
}

/**
 * What receivers make of the SPF record for mail sent through us (RFC 7208): one record, our
 * include reached in evaluation order before `all`, no permanent error on the way, within the
 * 10-lookup limit. Each rule names one of these.
 */
export function spfDiagnoses(ctx: SpfContext): Diagnosis[] {
  const spf = ctx.records.flatMap((r) => (r.type === "TXT" && isSpfRecord(r.value) ? [r.value] : []));
  if (spf.length > 1) return multipleSpf(ctx, spf);
  const text = spf[0];
  if (text === undefined) return leadingSpace(ctx);
  const record: OneSpfRecord = { ctx, text, ours: `include:${normalizeName(ctx.expected.include)}`, assessment: assessSpf(text, ctx.expected.include, ctx.evidence) };
  // Receivers reject an invalid record before evaluating any of it: nothing else matters until it is fixed.
  if (record.assessment.syntaxErrors.length > 0) return syntaxErrors(record);
  return [...includeQualifier(record), ...includeMissing(record), ...includeAfterAll(record), ...brokenIncludes(record), ...platformRecord(record), ...voidLookups(record), ...lookupLimit(record)];
}

/**
 * More than two lookups that find nothing before our include: receivers that apply the
 * void-lookup limit (RFC 7208 §4.6.4, recommended) stop with a permanent error at the third.
 */
export function voidLookups({ ctx, text, ours, assessment }: OneSpfRecord): Diagnosis[] {
  const placement = assessment.placement;
  if (!placement?.found || placement.voidBefore.length <= SPF_VOID_LOOKUP_LIMIT || placement.permerrorBefore) return [];
  const terms = placement.voidBefore;
  const fixed = spfWithIncludeFirst(text, ctx.expected.include);
  return [
    {
      code: "spf_void_lookups",
      severity: "error",
      message: `In the SPF record at ${ctx.name}, ${terms.length} terms before ${ours} look up names that do not exist or have no records (${terms.join(", ")}). Receivers that apply the limit of ${SPF_VOID_LOOKUP_LIMIT} such "void" lookups stop with a permanent error at the third, before they reach ${ours}, so mail sent through us fails SPF. Remove the terms for names that no longer exist, or put ${ours} first: ${quote(fixed)}.`,
      details: { terms, suggested: fixed },
    },
  ];
}

/**
 * The SPF record our include names is missing, doubled or invalid: receivers stop with a
 * permanent error there, for every customer. Only we can fix it.
 */
export function platformRecord({ ctx, ours, assessment }: OneSpfRecord): Diagnosis[] {
  const placement = assessment.placement;
  if (!placement?.found || placement.permerrorAt === null) return [];
  const target = normalizeName(ctx.expected.include);
  return [
    {
      code: "spf_platform_record_broken",
      severity: "error",
      message: `Your SPF record includes ours as it should, but the platform's own SPF record at ${target}, which ${ours} points to, cannot be evaluated (${placement.permerrorAt}). Receivers stop there with a permanent error, so mail sent through us fails SPF. This is a problem on our side that you cannot fix in your DNS: please contact support.`,
      details: { include: target, problem: placement.permerrorAt, path: placement.path },
    },
  ];
}

const QUALIFIER_RESULTS: Record<string, string> = { "?": "neutral", "~": "softfail", "-": "fail" };

/** Our include is there, but `?include:` / `~include:` / `-include:`: mail from us matches it and gets that result, not pass. */
export function includeQualifier({ ctx, text, ours, assessment }: OneSpfRecord): Diagnosis[] {
  if (!includeUnreached(assessment)) return [];
  const term = spfIncludeWithoutPass(text, ctx.expected.include);
  if (!term) return [];
  const result = QUALIFIER_RESULTS[term.qualifier] ?? term.qualifier;
  const fixed = mergeSpfRecords([text], ctx.expected.include);
  return [
    {
      code: "spf_include_qualifier",
      severity: "error",
      message: `In the SPF record at ${ctx.name}, ${ours} has the ${quote(term.qualifier)} qualifier (${result}): mail sent through us matches it and gets "${result}" instead of "pass", so it fails SPF. Remove the ${quote(term.qualifier)}: ${quote(fixed)}.`,
      details: { found: text, term: term.text, qualifier: term.qualifier, suggested: fixed },
    },
  ];
}

function includeUnreached(assessment: SpfAssessment): boolean {
  return !(assessment.placement ? assessment.placement.found : assessment.written);
}

/** A term that is not a valid mechanism or modifier: receivers return a permanent error for every sender (RFC 7208 §4.6). */
export function syntaxErrors({ ctx, text, assessment }: OneSpfRecord): Diagnosis[] {
  const errors = assessment.syntaxErrors;
  const fixed = spfWithSyntaxFixed(text, errors);
  const suggested = fixed === null ? null : spfIncludes(fixed, ctx.expected.include) ? fixed : mergeSpfRecords([fixed], ctx.expected.include);
  const advice =
    suggested !== null
      ? `Change it to ${quote(suggested)}.`
      : `Correct ${errors.length > 1 ? "these terms" : "this term"} or remove ${errors.length > 1 ? "them" : "it"} (${errors.map((e) => quote(e.term)).join(", ")}).`;
  return [
    {
      code: "spf_syntax_error",
      severity: "error",
      message: `The SPF record at ${ctx.name} is not valid SPF: ${errors.map((e) => e.problem).join("; ")}. Receivers reject the whole record with a permanent error, so mail sent through us fails SPF. ${advice}`,
      details: { found: text, errors: errors.map((e) => ({ term: e.term, problem: e.problem, fix: e.fix })), ...(suggested !== null ? { suggested } : {}) },
    },
  ];
}

/** ` v=spf1 …`: receivers only recognise a record starting exactly with `v=spf1` (§4.5), so the name has no SPF record for them. */
export function leadingSpace(ctx: SpfContext): Diagnosis[] {
  const spaced = ctx.records.flatMap((r) => (r.type === "TXT" && isSpfRecordAfterLeadingSpace(r.value) ? [r.value] : []));
  const value = spaced[0];
  if (value === undefined || spaced.length > 1) return [];
  const trimmed = value.trim();
  const suggested = spfIncludes(trimmed, ctx.expected.include) ? trimmed : mergeSpfRecords([trimmed], ctx.expected.include);
  const what = value.startsWith(" ") ? "a space" : "an invisible whitespace character";
  return [
    {
      code: "spf_syntax_error",
      severity: "error",
      message: `The SPF record at ${ctx.name} starts with ${what} before "v=spf1" (${quote(shorten(value, 120))}). Receivers only recognise a record that begins exactly with "v=spf1", so they ignore it and ${ctx.name} has no SPF record for them. Remove the leading space: ${quote(suggested)}.`,
      details: { found: value, suggested },
    },
  ];
}

/** Receivers treat more than one `v=spf1` record as a permanent error. */
export function multipleSpf(ctx: SpfContext, records: readonly string[]): Diagnosis[] {
  const merged = mergeSpfRecords(records, ctx.expected.include);
  return [
    {
      code: "multiple_spf",
      severity: "error",
      message: `${ctx.name} has ${records.length} SPF records (${records.map((v) => quote(shorten(v))).join(", ")}); receivers treat more than one as a permanent error and ignore SPF entirely. Merge them into one TXT record: ${quote(merged)}.`,
      details: { records: [...records], merged },
    },
  ];
}

/** Our include is nowhere receivers would reach it (written after `all`, or with a qualifier, has its own rule). */
export function includeMissing(record: OneSpfRecord): Diagnosis[] {
  const { ctx, text, ours, assessment } = record;
  if (!includeUnreached(assessment) || assessment.afterAll || includeQualifier(record).length > 0) return [];
  const merged = mergeSpfRecords([text], ctx.expected.include);
  return [
    {
      code: "value_mismatch",
      severity: "error",
      message: `The SPF record at ${ctx.name} (${quote(shorten(text, 120))}) does not include ${ours}. Change it to ${quote(merged)}.`,
      details: { found: text, suggested: merged },
    },
  ];
}

/** Receivers stop at `all`: an include written after it is never evaluated (RFC 7208 §5.1). */
export function includeAfterAll({ ctx, text, ours, assessment }: OneSpfRecord): Diagnosis[] {
  if (!assessment.afterAll || assessment.placement?.found) return [];
  const fixed = mergeSpfRecords([text], ctx.expected.include);
  return [
    {
      code: "spf_include_after_all",
      severity: "error",
      message: `In the SPF record at ${ctx.name}, ${ours} comes after the "all" mechanism, where receivers stop reading, so mail sent through us fails SPF. Move it before "all": ${quote(fixed)}.`,
      details: { found: text, suggested: fixed },
    },
  ];
}

/**
 * An include (or redirect) whose domain has no SPF record, or several: receivers stop there with
 * a permanent error (RFC 7208 §5.2). Before ours, mail from us fails; after it, only the senders
 * authorised further on do.
 */
export function brokenIncludes({ ctx, ours, assessment }: OneSpfRecord): Diagnosis[] {
  const placement = assessment.placement;
  if (!placement?.found) return [];
  if (placement.permerrorBefore) {
    const { term, problem } = placement.permerrorBefore;
    return [
      {
        code: "spf_broken_include",
        severity: "error",
        message: `In the SPF record at ${ctx.name}, ${term} cannot be evaluated (${problem}): receivers stop with a permanent error before they reach ${ours}, so mail sent through us fails SPF. Remove ${term}, or fix the SPF record it points to.`,
        details: { term, problem },
      },
    ];
  }
  if (placement.permerrorsAfter.length === 0) return [];
  const terms = placement.permerrorsAfter.map((p) => p.term);
  return [
    {
      code: "spf_broken_include",
      severity: "warning",
      message: `In the SPF record at ${ctx.name}, ${terms.join(", ")} cannot be evaluated (${placement.permerrorsAfter.map((p) => p.problem).join("; ")}). Mail sent through us passes (${ours} comes first), but mail from senders authorised after it fails SPF. Remove ${terms.length > 1 ? "them" : "it"}, or fix the SPF record ${terms.length > 1 ? "they point" : "it points"} to.`,
      details: { terms, problems: placement.permerrorsAfter.map((p) => p.problem) },
    },
  ];
}

/**
 * The 10-lookup limit (RFC 7208 §4.6.4), counted in evaluation order: past it receivers stop
 * with a permanent error. Our include reached only past the limit fails the record; a record
 * over the limit that reaches ours in time passes our mail and fails the senders after it.
 */
export function lookupLimit({ ctx, text, ours, assessment }: OneSpfRecord): Diagnosis[] {
  const placement = assessment.placement;
  const total = assessment.lookups;
  if (!placement?.found || total === null) return [];
  const beyond = spfIncludeBeyondLimit(placement);
  if (!beyond && total <= SPF_LOOKUP_LIMIT) return [];
  const count = ctx.evidence.spfCounts.get(text);
  const contributors = count?.contributors ?? [];
  const top = contributors.slice(0, 3).map((c) => `${c.term} (${c.lookups})`);
  const needs = `${assessment.complete ? "" : "at least "}${total}`;
  const details = {
    lookups: total,
    lookupsBeforeInclude: placement.before,
    includeReached: !beyond,
    contributors: contributors.map((c) => ({ term: c.term, lookups: c.lookups })),
    problems: count?.problems ?? [],
  };
  if (beyond) {
    const fixed = spfWithIncludeFirst(text, ctx.expected.include);
    return [
      {
        code: "spf_too_many_lookups",
        severity: "error",
        message: `The SPF record at ${ctx.name} needs ${needs} DNS lookups, ${placement.before} of them before ${ours}${reachedAt(placement)}; receivers stop at the 10th and reject the record before they reach ${ours}, so mail sent through us fails SPF. Put ${ours} first (${quote(fixed)}), and remove includes you no longer use or replace them with ip4:/ip6: ranges; the biggest contributors are ${top.join(", ")}.`,
        details: { ...details, suggested: fixed },
      },
    ];
  }
  return [
    {
      code: "spf_too_many_lookups",
      severity: "warning",
      message: `The SPF record at ${ctx.name} needs ${needs} DNS lookups; receivers stop at the 10th with a permanent error. ${ours} is reached at lookup ${placement.before + 1}, so mail sent through us passes, but senders authorised after the 10th lookup fail SPF. The biggest contributors are ${top.join(", ")}: remove includes you no longer use, or replace them with ip4:/ip6: ranges.`,
      details,
    },
  ];
}

function reachedAt(placement: SpfIncludePlacement): string {
  return placement.path.length > 1 ? ` (it is reached through ${placement.path.slice(0, -1).join(" → ")})` : "";
}

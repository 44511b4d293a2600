import { normalizeName, sameName } from "./names";
import { spfSyntaxErrors } from "./spf-syntax";

/** RFC 7208 §4.6.4: more than 10 DNS-querying terms is a permanent error. */
export const SPF_LOOKUP_LIMIT = 10;

/** RFC 7208 §4.6.4: more than two lookups that find nothing is a permanent error (where receivers apply it, as recommended). */
export const SPF_VOID_LOOKUP_LIMIT = 2;

export interface SpfTerm {
  /** As written, e.g. `~include:_spf.example.net`. */
  text: string;
  kind: "mechanism" | "modifier";
  /** `+`, `-`, `~`, `?` for mechanisms (default `+`); empty for modifiers. */
  qualifier: string;
  /** Lowercase mechanism or modifier name: `include`, `a`, `redirect`... */
  name: string;
  /** Domain-spec or other argument, without `:` / `=` and CIDR suffix; empty when absent. */
  value: string;
}

export interface SpfRecord {
  terms: SpfTerm[];
}

/**
 * Exactly `v=spf1` at the very start, then a space or the end (RFC 7208 §4.5; the version is
 * case-insensitive). Receivers discard anything else, a leading space included.
 */
export function isSpfRecord(value: string): boolean {
  return /^v=spf1( |$)/i.test(value);
}

/** Not an SPF record only because of whitespace before `v=spf1`: receivers ignore it. */
export function isSpfRecordAfterLeadingSpace(value: string): boolean {
  return !isSpfRecord(value) && /^\s/.test(value) && isSpfRecord(value.trimStart());
}

/** The record's terms, leniently: anything unrecognised stays a term (spfSyntaxErrors says what is wrong). */
export function parseSpf(value: string): SpfRecord | null {
  if (!isSpfRecord(value)) return null;
  const tokens = value.split(" ").filter((t) => t !== "").slice(1);
  const terms: SpfTerm[] = [];
  for (const text of tokens) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(text);
    if (modifier) {
      terms.push({ text, kind: "modifier", qualifier: "", name: (modifier[1] ?? "").toLowerCase(), value: modifier[2] ?? "" });
      continue;
    }
    const mechanism = /^([+\-~?]?)([a-z][a-z0-9]*)(?::([^/]*))?(\/.*)?$/i.exec(text);
    if (mechanism) {
      terms.push({
        text,
        kind: "mechanism",
        qualifier: mechanism[1] || "+",
        name: (mechanism[2] ?? "").toLowerCase(),
        value: mechanism[3] ?? "",
      });
      continue;
    }
    terms.push({ text, kind: "mechanism", qualifier: "+", name: text.toLowerCase(), value: "" });
  }
  return { terms };
}

/** True when the record has a passing `include:<domain>` (anywhere in the record). */
export function spfIncludes(value: string, include: string): boolean {
  const record = parseSpf(value);
  if (!record) return false;
  return record.terms.some((t) => isPassingInclude(t, include));
}

function isPassingInclude(term: SpfTerm, include: string): boolean {
  return term.kind === "mechanism" && term.name === "include" && term.qualifier === "+" && sameName(term.value, include);
}

/** The include comes after an `all` mechanism, where receivers never evaluate it. */
export function spfIncludeAfterAll(value: string, include: string): boolean {
  const record = parseSpf(value);
  if (!record) return false;
  const allIndex = record.terms.findIndex((t) => t.kind === "mechanism" && t.name === "all");
  const includeIndex = record.terms.findIndex((t) => isIncludeOf(t, include));
  return allIndex >= 0 && includeIndex > allIndex;
}

/**
 * The record with `include:<include>` as its first term (and nowhere else): receivers reach it
 * after one lookup, whatever the rest costs.
 */
export function spfWithIncludeFirst(value: string, include: string): string {
  const record = parseSpf(value);
  const ours = `include:${normalizeName(include)}`;
  const rest = (record?.terms ?? []).filter((t) => !isIncludeOf(t, include)).map((t) => t.text);
  return ["v=spf1", ours, ...rest].join(" ");
}

/**
 * One record that does what several `v=spf1` records were meant to: every mechanism of
 * each (deduplicated, in order), our include, then the first `all` found (or `~all`). Our
 * include written with another qualifier (`?include:`, `~include:`…) becomes a passing one in
 * its place: receivers stop at the first match, so a second include after it would never count.
 */
export function mergeSpfRecords(values: readonly string[], include?: string): string {
  const seen = new Set<string>();
  const terms: string[] = [];
  const ours = include ? `include:${normalizeName(include)}` : null;
  let all: string | null = null;
  for (const value of values) {
    const record = parseSpf(value);
    if (!record) continue;
    for (const term of record.terms) {
      if (term.kind === "mechanism" && term.name === "all") {
        all ??= term.text;
        continue;
      }
      // Only one redirect may exist, and it is ignored when `all` is present: dropping it is safer.
      if (term.kind === "modifier" && term.name === "redirect") continue;
      const text = ours && include && isIncludeOf(term, include) ? ours : term.text;
      const key = text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      terms.push(text);
    }
  }
  if (ours && !seen.has(ours)) terms.push(ours);
  return ["v=spf1", ...terms, all ?? "~all"].join(" ");
}

/** `include:<include>` with any qualifier. */
function isIncludeOf(term: SpfTerm, include: string): boolean {
  return term.kind === "mechanism" && term.name === "include" && sameName(term.value, include);
}

/**
 * Our include written with a qualifier that does not give pass (`?` neutral, `~` softfail, `-`
 * fail), where receivers evaluate it: mail from us matches it and gets that result.
 */
export function spfIncludeWithoutPass(value: string, include: string): SpfTerm | null {
  const record = parseSpf(value);
  if (!record) return null;
  const reached = spfEvaluationOrder(record.terms).map((i) => record.terms[i]);
  return reached.find((t): t is SpfTerm => t !== undefined && isIncludeOf(t, include) && t.qualifier !== "+") ?? null;
}

/** `canonical`: where the records are when the name is an alias (the end of its CNAME chain). */
export type SpfFetchResult = { kind: "records"; values: string[]; canonical?: string } | { kind: "error"; message: string };

/** Returns the TXT values at a name (the caller decides how: resolver, cache, fixture). */
export type SpfFetcher = (name: string) => Promise<SpfFetchResult>;

/**
 * Whether a name has records of a type, as an `a`, `mx` or `exists` term asks: `void` for no such
 * name or no records (RFC 7208 §4.6.4), `unknown` when DNS gave no usable answer.
 */
export type SpfAddressProbe = (name: string, type: "A" | "MX") => Promise<"found" | "void" | "unknown">;

export interface SpfContributor {
  /** Top-level term of the analysed record, e.g. `include:_spf.google.com`. */
  term: string;
  /** Lookups this term costs, its own included. */
  lookups: number;
}

/** One term of a record as receivers evaluate it for mail that none of the record matches. */
export interface SpfEvaluatedTerm {
  term: SpfTerm;
  /** False when receivers never get to it: after `all`, or a `redirect` beside `all`. */
  evaluated: boolean;
  /** DNS lookups evaluating it costs, its own and its target's; 0 when not evaluated. */
  lookups: number;
  /** The include/redirect target's record, when it was fetched and is usable. */
  target: SpfEvaluation | null;
  /** Why receivers stop with a permanent error here (a target without exactly one SPF record, or with a syntax error). */
  permerror: string | null;
  /**
   * The include/redirect target's record is itself unusable (a syntax error): receivers stop as
   * soon as they reach this term. `target` is still filled in, to show what it was meant to reach.
   */
  targetError: string | null;
  /** False when an error or a limit stopped expansion below it: `lookups` is then a lower bound. */
  complete: boolean;
  /** An `a`, `mx` or `exists` term whose lookup finds nothing (a void lookup); false when not probed. */
  void: boolean;
}

/** A record's terms in written order, each with what evaluating it costs. */
export interface SpfEvaluation {
  /** Where the record was found ("" for the analysed record when its name is unknown). */
  domain: string;
  /** Where the record really is: `domain`, or the end of the CNAME chain `domain` is an alias through. */
  canonical: string;
  terms: SpfEvaluatedTerm[];
}

export interface SpfLookupCount {
  /** Lookups a receiver makes evaluating the whole record for mail that matches none of it. */
  lookups: number;
  /** Top-level terms that cost lookups, most expensive first. */
  contributors: SpfContributor[];
  /** Problems met while expanding: missing records, loops, fetch errors, limits. */
  problems: string[];
  /** False when an error or a limit stopped expansion: `lookups` is then a lower bound. */
  complete: boolean;
  evaluation: SpfEvaluation;
}

export interface SpfCountLimits {
  /** How deep includes/redirects are followed (default 10). */
  maxDepth?: number;
  /** Total TXT fetches allowed for one analysis (default 40). */
  maxFetches?: number;
  /** The name the record was found at, so an include pointing back to it counts as a loop. */
  origin?: string;
  /** Looks up the names of `a`, `mx` and `exists` terms, to find void lookups; without it none are found. */
  probe?: SpfAddressProbe;
  /** Probes allowed for one analysis (default 20). */
  maxProbes?: number;
}

const LOOKUP_MECHANISMS = new Set(["include", "a", "mx", "ptr", "exists"]);

/**
 * Receivers evaluate mechanisms in written order up to the first `all` (nothing after it is
 * read, RFC 7208 §5.1), then `redirect=` only when there is no `all` (§6.1). The order in which
 * terms are evaluated, as indexes into `terms`.
 */
export function spfEvaluationOrder(terms: readonly SpfTerm[]): number[] {
  const order: number[] = [];
  const allIndex = terms.findIndex((t) => t.kind === "mechanism" && t.name === "all");
  terms.forEach((t, i) => {
    if (t.kind === "mechanism" && (allIndex < 0 || i <= allIndex)) order.push(i);
  });
  if (allIndex < 0) {
    const redirect = terms.findIndex((t) => t.kind === "modifier" && t.name === "redirect");
    if (redirect >= 0) order.push(redirect);
  }
  return order;
}

/**
 * Counts the DNS lookups a receiver performs evaluating `value` (RFC 7208 §4.6.4: include, a,
 * mx, ptr, exists and redirect), recursively through include/redirect targets, counting only
 * terms receivers reach. Targets at one level are fetched in parallel. Never rejects.
 */
export async function countSpfLookups(value: string, fetch: SpfFetcher, limits: SpfCountLimits = {}): Promise<SpfLookupCount> {
  const maxDepth = limits.maxDepth ?? 10;
  let fetchBudget = limits.maxFetches ?? 40;
  let probeBudget = limits.maxProbes ?? 20;
  const problems: string[] = [];

  const isVoid = async (term: SpfTerm, domain: string): Promise<boolean> => {
    const type = term.name === "mx" ? "MX" : term.name === "a" || term.name === "exists" ? "A" : null;
    const name = normalizeName(term.value || domain);
    if (!limits.probe || type === null || name === "" || name.includes("%") || probeBudget <= 0) return false;
    probeBudget -= 1;
    try {
      return (await limits.probe(name, type)) === "void";
    } catch {
      return false;
    }
  };

  const evaluate = async (record: SpfRecord, domain: string, canonical: string, depth: number, trail: readonly string[]): Promise<SpfEvaluation> => {
    const reached = new Set(spfEvaluationOrder(record.terms));
    const terms = await Promise.all(
      record.terms.map(async (term, index): Promise<SpfEvaluatedTerm> => {
        const base = { term, evaluated: reached.has(index), lookups: 0, target: null, permerror: null, targetError: null, complete: true, void: false };
        if (!base.evaluated) return base;
        const recursive = (term.kind === "mechanism" && term.name === "include") || (term.kind === "modifier" && term.name === "redirect");
        if (!recursive) {
          const lookup = term.kind === "mechanism" && LOOKUP_MECHANISMS.has(term.name);
          return { ...base, lookups: lookup ? 1 : 0, void: lookup && (await isVoid(term, domain)) };
        }
        return { ...base, ...(await expand(term, depth, trail)) };
      }),
    );
    return { domain, canonical, terms };
  };

  const expand = async (term: SpfTerm, depth: number, trail: readonly string[]): Promise<Partial<SpfEvaluatedTerm> & { lookups: number }> => {
    const target = normalizeName(term.value);
    if (target === "" || target.includes("%")) return { lookups: 1 }; // macros are expanded per message: not followable here
    if (trail.includes(target)) {
      problems.push(`${term.text} loops back to ${target}`);
      return { lookups: 1, complete: false };
    }
    if (depth >= maxDepth || fetchBudget <= 0) {
      problems.push(`stopped expanding at ${term.text} (limit reached)`);
      return { lookups: 1, complete: false };
    }
    fetchBudget -= 1;
    let fetched: SpfFetchResult;
    try {
      fetched = await fetch(target);
    } catch (error) {
      fetched = { kind: "error", message: error instanceof Error ? error.message : String(error) };
    }
    if (fetched.kind === "error") {
      problems.push(`${term.text}: ${fetched.message}`);
      return { lookups: 1, complete: false };
    }
    const spf = fetched.values.filter(isSpfRecord);
    if (spf.length !== 1) {
      // RFC 7208 §5.2 and §6.1: a target without exactly one SPF record is a permanent error.
      const problem = spf.length === 0 ? `${term.text}: ${target} has no SPF record` : `${term.text}: ${target} has ${spf.length} SPF records`;
      problems.push(problem);
      return { lookups: 1, permerror: problem };
    }
    const nested = parseSpf(spf[0] ?? "");
    if (!nested) return { lookups: 1 };
    const evaluation = await evaluate(nested, target, normalizeName(fetched.canonical ?? target), depth + 1, [...trail, target]);
    const syntax = spfSyntaxErrors(spf[0] ?? "");
    if (syntax.length > 0) {
      // RFC 7208 §4.6: the target's record is rejected before any of it is evaluated.
      const problem = `${term.text}: the SPF record at ${target} has a syntax error (${syntax.map((e) => e.problem).join("; ")})`;
      problems.push(problem);
      return { lookups: 1, target: evaluation, permerror: problem, targetError: problem };
    }
    const inner = evaluation.terms.filter((t) => t.evaluated);
    return {
      lookups: 1 + inner.reduce((sum, t) => sum + t.lookups, 0),
      target: evaluation,
      permerror: inner.find((t) => t.permerror)?.permerror ?? null,
      complete: inner.every((t) => t.complete),
    };
  };

  const record = parseSpf(value);
  const origin = limits.origin ? normalizeName(limits.origin) : "";
  if (!record) return { lookups: 0, contributors: [], problems: ["not an SPF record"], complete: false, evaluation: { domain: origin, canonical: origin, terms: [] } };
  const evaluation = await evaluate(record, origin, origin, 0, origin ? [origin] : []);
  const evaluated = evaluation.terms.filter((t) => t.evaluated);
  const contributors = evaluated
    .filter((t) => t.lookups > 0)
    .map((t) => ({ term: t.term.text, lookups: t.lookups }))
    .sort((a, b) => b.lookups - a.lookups);
  return {
    lookups: evaluated.reduce((sum, t) => sum + t.lookups, 0),
    contributors,
    problems,
    complete: evaluated.every((t) => t.complete),
    evaluation,
  };
}

/** Where receivers meet an include while evaluating a record for mail it authorises. */
export interface SpfIncludePlacement {
  /** Reached through passing includes and redirects (mail it authorises can pass). */
  found: boolean;
  /** Written after the record's `all`: receivers never read it. */
  afterAll: boolean;
  /** The terms leading to it, e.g. `["redirect=_spf.acme.com", "include:_spf.example.net"]`. */
  path: string[];
  /** Lookups receivers make before they evaluate it (a lower bound unless `exact`). */
  before: number;
  /** Lookups it costs itself, nested ones included. */
  cost: number;
  exact: boolean;
  /** The first term evaluated before it at which receivers stop with a permanent error. */
  permerrorBefore: { term: string; problem: string } | null;
  /** Receivers stop with a permanent error at the include itself: its own record is missing, doubled or invalid. */
  permerrorAt: string | null;
  /**
   * Terms evaluated before it whose lookup found nothing, when there are more than two: receivers
   * that apply the void-lookup limit (RFC 7208 §4.6.4) stop with a permanent error at the third.
   */
  voidBefore: string[];
  /** Terms evaluated after it that stop receivers with a permanent error (their senders fail). */
  permerrorsAfter: Array<{ term: string; problem: string }>;
}

/**
 * Receivers evaluate the include's record here and pass its result on: a passing `include:` or a
 * `redirect=` naming it, or naming an alias (CNAME) of it, since the TXT lookup follows aliases.
 */
function reachesInclude(step: SpfEvaluatedTerm, include: string): boolean {
  const { term } = step;
  const passesOn = (term.kind === "mechanism" && term.name === "include" && term.qualifier === "+") || (term.kind === "modifier" && term.name === "redirect");
  return passesOn && (sameName(term.value, include) || (step.target !== null && sameName(step.target.canonical, include)));
}

/**
 * Walks the record in evaluation order, as receivers do for mail that matches only `include`,
 * counting lookups until they reach it. Includes are searched inside when they pass their
 * result on (`+include:`, `redirect=`).
 */
export function locateSpfInclude(count: SpfLookupCount, include: string): SpfIncludePlacement {
  const placement: SpfIncludePlacement = {
    found: false,
    afterAll: false,
    path: [],
    before: 0,
    cost: 0,
    exact: true,
    permerrorBefore: null,
    permerrorsAfter: [],
    permerrorAt: null,
    voidBefore: [],
  };
  let running = 0;
  const voids: string[] = [];
  const walk = (evaluation: SpfEvaluation, path: string[]): boolean => {
    for (const index of spfEvaluationOrder(evaluation.terms.map((t) => t.term))) {
      const step = evaluation.terms[index];
      if (!step) continue;
      if (reachesInclude(step, include)) {
        Object.assign(placement, { found: true, path: [...path, step.term.text], before: running, cost: step.lookups, permerrorAt: step.permerror });
        return true;
      }
      const passesOn = (step.term.kind === "mechanism" && step.term.name === "include" && step.term.qualifier === "+") || step.term.kind === "modifier";
      if (passesOn && step.target) {
        running += 1;
        if (step.targetError) placement.permerrorBefore ??= { term: step.term.text, problem: step.targetError };
        // Its own terms account for its lookups and any permanent error below it.
        if (walk(step.target, [...path, step.term.text])) return true;
        continue;
      }
      running += step.lookups;
      if (step.void) voids.push(step.term.text);
      placement.exact &&= step.complete;
      if (step.permerror) placement.permerrorBefore ??= { term: step.term.text, problem: step.permerror };
    }
    return false;
  };
  const found = walk(count.evaluation, []);
  if (voids.length > SPF_VOID_LOOKUP_LIMIT) placement.voidBefore = voids;
  if (!found) {
    const top = count.evaluation.terms;
    placement.afterAll = top.some((t) => !t.evaluated && isPassingInclude(t.term, include));
    return placement;
  }
  // What comes after it at the top level: senders authorised there fail when it stops receivers.
  const order = spfEvaluationOrder(count.evaluation.terms.map((t) => t.term));
  const first = placement.path[0];
  const at = order.findIndex((i) => count.evaluation.terms[i]?.term.text === first);
  for (const index of order.slice(at + 1)) {
    const step = count.evaluation.terms[index];
    if (step?.permerror) placement.permerrorsAfter.push({ term: step.term.text, problem: step.permerror });
  }
  return placement;
}

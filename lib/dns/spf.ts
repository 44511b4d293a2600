import { normalizeName, sameName } from "./names";

/** RFC 7208 §4.6.4: more than 10 DNS-querying terms is a permanent error. */
export const SPF_LOOKUP_LIMIT = 10;

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

/** `v=spf1` followed by a space or the end (RFC 7208 §4.5: the version is case-insensitive). */
export function isSpfRecord(value: string): boolean {
  return /^v=spf1(\s|$)/i.test(value.trim());
}

export function parseSpf(value: string): SpfRecord | null {
  if (!isSpfRecord(value)) return null;
  const tokens = value.trim().split(/\s+/).slice(1);
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
  return record.terms.some((t) => t.kind === "mechanism" && t.name === "include" && t.qualifier === "+" && sameName(t.value, include));
}

/** The include comes after an `all` mechanism, where receivers never evaluate it. */
export function spfIncludeAfterAll(value: string, include: string): boolean {
  const record = parseSpf(value);
  if (!record) return false;
  const allIndex = record.terms.findIndex((t) => t.kind === "mechanism" && t.name === "all");
  const includeIndex = record.terms.findIndex((t) => t.kind === "mechanism" && t.name === "include" && sameName(t.value, include));
  return allIndex >= 0 && includeIndex > allIndex;
}

/**
 * One record that does what several `v=spf1` records were meant to: every mechanism of
 * each (deduplicated, in order), our include, then the first `all` found (or `~all`).
 */
export function mergeSpfRecords(values: readonly string[], include?: string): string {
  const seen = new Set<string>();
  const terms: string[] = [];
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
      const key = term.text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      terms.push(term.text);
    }
  }
  if (include && !terms.some((t) => t.toLowerCase().replace(/^\+/, "") === `include:${normalizeName(include)}`)) {
    terms.push(`include:${normalizeName(include)}`);
  }
  return ["v=spf1", ...terms, all ?? "~all"].join(" ");
}

export type SpfFetchResult = { kind: "records"; values: string[] } | { kind: "error"; message: string };

/** Returns the TXT values at a name (the caller decides how: resolver, cache, fixture). */
export type SpfFetcher = (name: string) => Promise<SpfFetchResult>;

export interface SpfContributor {
  /** Top-level term of the analysed record, e.g. `include:_spf.google.com`. */
  term: string;
  /** Lookups this term costs, its own included. */
  lookups: number;
}

export interface SpfLookupCount {
  lookups: number;
  /** Top-level terms that cost lookups, most expensive first. */
  contributors: SpfContributor[];
  /** Problems met while expanding: missing records, loops, fetch errors, limits. */
  problems: string[];
  /** False when an error or a limit stopped expansion: `lookups` is then a lower bound. */
  complete: boolean;
}

export interface SpfCountLimits {
  /** How deep includes/redirects are followed (default 10). */
  maxDepth?: number;
  /** Total TXT fetches allowed for one analysis (default 40). */
  maxFetches?: number;
  /** The name the record was found at, so an include pointing back to it counts as a loop. */
  origin?: string;
}

const LOOKUP_MECHANISMS = new Set(["include", "a", "mx", "ptr", "exists"]);

/**
 * Counts the DNS lookups a receiver performs to evaluate `value` (RFC 7208 §4.6.4):
 * include, a, mx, ptr, exists and redirect, recursively through include/redirect targets.
 * Includes at one level are fetched in parallel. Never rejects.
 */
export async function countSpfLookups(value: string, fetch: SpfFetcher, limits: SpfCountLimits = {}): Promise<SpfLookupCount> {
  const maxDepth = limits.maxDepth ?? 10;
  let fetchBudget = limits.maxFetches ?? 40;
  const problems: string[] = [];
  let complete = true;

  const costOf = async (record: SpfRecord, depth: number, trail: readonly string[]): Promise<number[]> => {
    const hasAll = record.terms.some((t) => t.kind === "mechanism" && t.name === "all");
    return Promise.all(
      record.terms.map(async (term): Promise<number> => {
        const recursive = (term.kind === "mechanism" && term.name === "include") || (term.kind === "modifier" && term.name === "redirect");
        if (term.kind === "modifier" && term.name === "redirect" && hasAll) return 0;
        if (!recursive) return term.kind === "mechanism" && LOOKUP_MECHANISMS.has(term.name) ? 1 : 0;
        const target = normalizeName(term.value);
        if (target === "" || target.includes("%")) return 1; // macros are expanded per message: not followable here
        if (trail.includes(target)) {
          problems.push(`${term.text} loops back to ${target}`);
          complete = false;
          return 1;
        }
        if (depth >= maxDepth || fetchBudget <= 0) {
          problems.push(`stopped expanding at ${term.text} (limit reached)`);
          complete = false;
          return 1;
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
          complete = false;
          return 1;
        }
        const spf = fetched.values.filter(isSpfRecord);
        if (spf.length !== 1) {
          problems.push(spf.length === 0 ? `${term.text}: ${target} has no SPF record` : `${term.text}: ${target} has ${spf.length} SPF records`);
          return 1;
        }
        const nested = parseSpf(spf[0] ?? "");
        if (!nested) return 1;
        const costs = await costOf(nested, depth + 1, [...trail, target]);
        return 1 + costs.reduce((a, b) => a + b, 0);
      }),
    );
  };

  const record = parseSpf(value);
  if (!record) return { lookups: 0, contributors: [], problems: ["not an SPF record"], complete: false };
  const costs = await costOf(record, 0, limits.origin ? [normalizeName(limits.origin)] : []);
  const contributors = record.terms
    .map((term, i) => ({ term: term.text, lookups: costs[i] ?? 0 }))
    .filter((c) => c.lookups > 0)
    .sort((a, b) => b.lookups - a.lookups);
  return { lookups: costs.reduce((a, b) => a + b, 0), contributors, problems, complete };
}

import { isIPv4, isIPv6 } from "node:net";
import { quote } from "./rules/context";

/**
 * RFC 7208's grammar (§4.6, §5, §6, §7, §12). Receivers check the whole record before they
 * evaluate any of it: one term that is not a valid mechanism or modifier, anywhere, makes the
 * result a permanent error for every sender.
 */

export interface SpfSyntaxError {
  /** The term as written, e.g. `–all`. */
  term: string;
  /** What is wrong with it, naming it: "`–all` contains an en dash (–) where a hyphen (-) belongs". */
  problem: string;
  /** The term as it was most likely meant, when that is clear (`-all`); null otherwise. */
  fix: string | null;
}

const MECHANISMS = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

/** Macro letters allowed in a domain-spec; `c`, `r` and `t` only in explanation text (§7.2). */
const DOMAIN_MACRO_LETTERS = "slodiphv";
const ALL_MACRO_LETTERS = "slodiphvcrt";

const LOOK_ALIKES: Array<{ chars: string; name: string; meant: string }> = [
  { chars: "\u2013", name: "an en dash", meant: "-" },
  { chars: "\u2014", name: "an em dash", meant: "-" },
  { chars: "\u2010\u2011\u2012\u2212", name: "a typographic dash", meant: "-" },
  { chars: "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003", name: "a non-breaking or typographic space", meant: " " },
  { chars: "\t", name: "a tab", meant: " " },
  { chars: "\u2018\u2019\u201c\u201d", name: "a curly quote", meant: "" },
  { chars: "\u200b\u200c\u200d\u2060\ufeff", name: "an invisible zero-width character", meant: "" },
];

/**
 * Every term of an SPF record (one that starts with `v=spf1`) that receivers reject, in written
 * order; empty when the record is valid. Unknown modifiers (`name=value`) are valid and ignored
 * by receivers (§6), so they are not errors.
 */
export function spfSyntaxErrors(value: string): SpfSyntaxError[] {
  // Terms are separated by spaces (SP) only; any other whitespace is part of a term, and invalid.
  const terms = value.split(" ").slice(1).filter((t) => t !== "");
  const errors: SpfSyntaxError[] = [];
  const seen = new Set<string>();
  for (const term of terms) {
    const error = termError(term);
    if (error) {
      errors.push(error);
      continue;
    }
    const once = /^(redirect|exp)=/i.exec(term)?.[1]?.toLowerCase();
    if (!once) continue;
    if (seen.has(once)) errors.push({ term, problem: `${once}= appears more than once (${quote(term)}); a record may have only one`, fix: null });
    seen.add(once);
  }
  return errors;
}

/** The record with each error's fix applied, or null when some error has no clear fix. */
export function spfWithSyntaxFixed(value: string, errors: readonly SpfSyntaxError[]): string | null {
  if (errors.length === 0 || errors.some((e) => e.fix === null)) return null;
  const fixes = new Map(errors.map((e) => [e.term, e.fix ?? ""]));
  const terms = value.split(" ").slice(1).filter((t) => t !== "");
  return ["v=spf1", ...terms.map((t) => fixes.get(t) ?? t).filter((t) => t.trim() !== "")].join(" ");
}

function termError(term: string): SpfSyntaxError | null {
  const odd = [...term].find((c) => c < "\u0021" || c > "\u007e");
  if (odd !== undefined) return characterError(term, odd);
  const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(term);
  if (modifier) {
    const name = (modifier[1] ?? "").toLowerCase();
    const arg = modifier[2] ?? "";
    const problem = name === "redirect" || name === "exp" ? domainSpecProblem(term, arg) : macroProblem(term, arg, ALL_MACRO_LETTERS);
    return problem ? { term, problem, fix: null } : null;
  }
  const mechanism = /^([+\-~?]?)([^:/]*)(.*)$/.exec(term);
  const qualifier = mechanism?.[1] ?? "";
  const name = (mechanism?.[2] ?? "").toLowerCase();
  const rest = mechanism?.[3] ?? "";
  if (!MECHANISMS.includes(name)) {
    const meant = closestMechanism(name);
    const fix = meant ? `${qualifier}${meant}${rest}` : null;
    const valid = fix !== null && termError(fix) === null;
    const problem =
      name === ""
        ? `${quote(term)} is not an SPF mechanism or modifier`
        : `${quote(term)} is not valid: ${quote(name)} is not an SPF mechanism${valid ? ` (did you mean ${quote(meant ?? "")}?)` : ""}`;
    return { term, problem, fix: valid ? fix : null };
  }
  const problem = argumentProblem(term, name, rest);
  return problem ? { term, problem, fix: null } : null;
}

function characterError(term: string, odd: string): SpfSyntaxError {
  const lookAlike = LOOK_ALIKES.find((l) => l.chars.includes(odd));
  const code = `U+${(odd.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  if (!lookAlike) {
    return { term, problem: `${quote(term)} contains the character ${JSON.stringify(odd)} (${code}); SPF records allow only plain ASCII`, fix: null };
  }
  const meant = [...term].map((c) => (lookAlike.chars.includes(c) ? lookAlike.meant : c)).join("");
  const where = lookAlike.meant === "-" ? " where a hyphen (-) belongs" : lookAlike.meant === " " ? " where a plain space belongs" : "";
  const fixedTerms = meant.split(" ").filter((t) => t !== "");
  const valid = fixedTerms.every((t) => termError(t) === null);
  return {
    term,
    problem: `${quote(term)} contains ${lookAlike.name} (${code})${where}, often pasted from a word processor`,
    fix: valid ? fixedTerms.join(" ") : null,
  };
}

function argumentProblem(term: string, name: string, rest: string): string | null {
  switch (name) {
    case "all":
      return rest === "" ? null : `${quote(term)}: "all" takes no argument`;
    case "include":
    case "exists":
      return rest.startsWith(":") ? domainSpecProblem(term, rest.slice(1)) : `${quote(term)}: ${name} needs a domain (${name}:example.com)`;
    case "ptr":
      if (rest === "") return null;
      return rest.startsWith(":") ? domainSpecProblem(term, rest.slice(1)) : `${quote(term)}: ptr takes no prefix length`;
    case "a":
    case "mx": {
      const cidr = /^(.*?)((?:\/[0-9]+)?(?:\/\/[0-9]+)?)$/.exec(rest);
      const domain = cidr?.[1] ?? rest;
      const lengths = cidr?.[2] ?? "";
      const v4 = /^\/([0-9]+)/.exec(lengths)?.[1];
      const v6 = /\/\/([0-9]+)$/.exec(lengths)?.[1];
      if (v4 !== undefined && !validLength(v4, 32)) return `${quote(term)}: /${v4} is not an IPv4 prefix length (0 to 32)`;
      if (v6 !== undefined && !validLength(v6, 128)) return `${quote(term)}: //${v6} is not an IPv6 prefix length (0 to 128)`;
      if (domain === "") return null;
      return domain.startsWith(":") ? domainSpecProblem(term, domain.slice(1)) : `${quote(term)} is not valid after "${name}"`;
    }
    case "ip4":
    case "ip6": {
      if (!rest.startsWith(":")) return `${quote(term)}: ${name} needs an address (${name === "ip4" ? "ip4:192.0.2.0/24" : "ip6:2001:db8::/32"})`;
      const arg = rest.slice(1);
      const slash = arg.lastIndexOf("/");
      const address = slash >= 0 ? arg.slice(0, slash) : arg;
      const length = slash >= 0 ? arg.slice(slash + 1) : null;
      const max = name === "ip4" ? 32 : 128;
      const validAddress = name === "ip4" ? isIPv4(address) : isIPv6(address) && !address.includes("%");
      if (!validAddress) return `${quote(term)}: ${quote(address)} is not a valid IPv${name === "ip4" ? 4 : 6} address`;
      if (length !== null && !validLength(length, max)) return `${quote(term)}: /${length} is not an IPv${name === "ip4" ? 4 : 6} prefix length (0 to ${max})`;
      return null;
    }
    default:
      return `${quote(term)} is not an SPF mechanism`;
  }
}

function validLength(digits: string, max: number): boolean {
  return /^(0|[1-9][0-9]*)$/.test(digits) && Number(digits) <= max;
}

/** A domain-spec (§7.1): a macro-string ending in a top-level label or a macro. */
function domainSpecProblem(term: string, spec: string): string | null {
  if (spec === "") return `${quote(term)} names no domain`;
  const macro = macroProblem(term, spec, DOMAIN_MACRO_LETTERS);
  if (macro) return macro;
  if (/(%\{[^}]*\}|%%|%_|%-)$/.test(spec)) return null;
  const labels = spec.replace(/\.$/, "").split(".");
  const top = labels.length > 1 ? labels[labels.length - 1] : undefined;
  const toplabel = /^([a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;
  if (top === undefined || !toplabel.test(top)) return `${quote(term)}: ${quote(spec)} is not a full domain name (it must end in a top-level domain such as .com)`;
  return null;
}

/** Macros (§7.1): `%{` letter, digits, optional `r`, delimiters `}`; or `%%`, `%_`, `%-`. */
function macroProblem(term: string, text: string, letters: string): string | null {
  for (let i = text.indexOf("%"); i >= 0; i = text.indexOf("%", i)) {
    const next = text[i + 1];
    if (next === "%" || next === "_" || next === "-") {
      i += 2;
      continue;
    }
    const expand = /^%\{([a-z])([0-9]*)(r?)([.\-+,/_=]*)\}/i.exec(text.slice(i));
    const letter = expand?.[1]?.toLowerCase();
    if (!expand || !letter || !letters.includes(letter)) {
      const shown = /^%(\{[^}]*\}?)?/.exec(text.slice(i))?.[0] ?? "%";
      const why = letter && ALL_MACRO_LETTERS.includes(letter) ? ` (%{${letter}} is only allowed in explanation text)` : "";
      return `${quote(term)} has an invalid macro ${quote(shown)}${why}`;
    }
    i += expand[0].length;
  }
  return null;
}

/** The mechanism a misspelt name most likely meant: the only one within two edits. */
function closestMechanism(name: string): string | null {
  if (name.length < 2) return null;
  const scored = MECHANISMS.map((m) => ({ m, d: editDistance(name, m) })).filter((s) => s.d <= Math.min(2, Math.floor(s.m.length / 2)));
  const best = Math.min(...scored.map((s) => s.d));
  const closest = scored.filter((s) => s.d === best);
  return closest.length === 1 ? (closest[0]?.m ?? null) : null;
}

/** Edits (insert, delete, substitute, swap neighbours) turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = value;
    }
  }
  return at(a.length, b.length);
}

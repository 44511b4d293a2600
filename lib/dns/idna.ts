import { toASCII, toUnicode, type Options } from "tr46";

/**
 * The one place where a domain name or label that a person typed (or a server sent) becomes its
 * canonical form: trimmed, mapped by Unicode UTS #46 (non-transitional: fullwidth forms, case,
 * compatibility characters), validated (bidi rule, CONTEXTJ joiners, punycode that decodes) and
 * converted to A-labels. Imports nothing but `tr46`, so the forms in the browser check names
 * exactly as the server does. Everything else (lib/dns/names.ts, lib/domains/hostname.ts) builds
 * on this module.
 */

/**
 * `hostname`: names an organisation registers (letters, digits, hyphens; no hyphen at either end
 * or in positions 3–4). `dns`: any name the DNS engine queries, where underscore labels such as
 * `_dmarc` are the point.
 */
export type DomainNameKind = "hostname" | "dns";

export type DomainNameResult =
  | { ok: true; ascii: string; unicode: string; labels: string[] }
  | { ok: false; error: string };

export type MappedText = { ok: true; value: string } | { ok: false; error: string };

export const MAX_LABEL_LENGTH = 63;
export const MAX_NAME_LENGTH = 253;

const BASE: Options = { transitionalProcessing: false, useSTD3ASCIIRules: false };
const STRICT: Options = { ...BASE, checkBidi: true, checkJoiners: true };

// Controls, format characters and default-ignorable code points. UTS #46 silently deletes some of
// them (U+00AD soft hyphen, U+200B zero-width space), so `exa\u00ADmple.com` would quietly become
// `example.com`: what the admin sees and what we store would differ. Refused before mapping.
// ZWJ/ZWNJ are the exception: IDNA allows them in the contexts CONTEXTJ defines (checked later).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const JOINERS = new Set(["\u200c", "\u200d"]);

const CHARACTER_NAMES: Record<number, string> = {
  0x00ad: "SOFT HYPHEN",
  0x061c: "ARABIC LETTER MARK",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
};

function codePointLabel(char: string): string {
  const code = char.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = CHARACTER_NAMES[code] ?? (code < 0x20 || code === 0x7f ? "a control character" : undefined);
  return name ? `${hex} ${name}` : hex;
}

/** The first invisible or control character in `text`, described for a message; null when there is none. */
export function findInvisibleCharacter(text: string): { description: string; position: number } | null {
  let position = 0;
  for (const char of text) {
    position += 1;
    if (!JOINERS.has(char) && INVISIBLE.test(char)) return { description: codePointLabel(char), position };
  }
  return null;
}

function invisibleMessage(found: { description: string; position: number }): string {
  // The input itself is not quoted: with a direction override in it, it would display scrambled.
  return `The name contains an invisible or control character, ${found.description} (character ${found.position}). Type the name again rather than pasting it`;
}

/**
 * The first two steps every name and label goes through: trim, refuse invisible and control
 * characters, then UTS #46 mapping (lower case, fullwidth and compatibility forms, ideographic full
 * stops become dots; xn-- labels decoded). `invalid` says whether UTS #46 found a label it cannot
 * accept (a disallowed code point, punycode that does not decode).
 */
function mapName(input: string, options: Options = BASE): { ok: true; trimmed: string; mapped: string; invalid: boolean } | { ok: false; error: string } {
  const trimmed = input.trim();
  const invisible = findInvisibleCharacter(trimmed);
  if (invisible) return { ok: false, error: invisibleMessage(invisible) };
  const result = toUnicode(trimmed, options);
  return { ok: true, trimmed, mapped: result.domain, invalid: result.error };
}

/**
 * Trimmed and mapped by UTS #46 without validating labels: for single labels with rules of their
 * own, such as the platform label (`ＡＣＭＥ-Sec ` → `acme-sec`).
 */
export function mapDomainText(input: string): MappedText {
  const result = mapName(input, { ...BASE, ignoreInvalidPunycode: true });
  return result.ok ? { ok: true, value: result.mapped } : result;
}

/** Why one label (as typed, before decoding) is refused by UTS #46 processing; null if it is not. */
function diagnoseLabel(raw: string): string | null {
  const mapped = toUnicode(raw, BASE);
  if (!mapped.error) return null;
  if (/^xn--/i.test(raw)) return `"${raw}" is not a valid internationalised label: what follows xn-- must be punycode that decodes to Unicode`;
  const chars = [...mapped.domain];
  if (chars.length > 0 && /^\p{M}$/u.test(chars[0]!)) return `"${mapped.domain}" cannot start with a combining mark`;
  const bad = chars.find((char) => toUnicode(char, BASE).error);
  if (bad) return `"${mapped.domain}" contains "${bad}" (${codePointLabel(bad)}), which domain names cannot contain`;
  return `"${mapped.domain}" is not a valid domain label`;
}

function checkHyphens(label: string): string | null {
  if (label.startsWith("-") || label.endsWith("-")) return `"${label}" cannot start or end with a hyphen`;
  if ([...label].slice(2, 4).join("") === "--") {
    return `"${label}" cannot have two hyphens in the third and fourth positions (reserved for internationalised xn-- labels)`;
  }
  return null;
}

/** `shown` is the label's Unicode form, where the hyphen rules of UTS #46 CheckHyphens apply. */
function checkAsciiLabel(ascii: string, shown: string, kind: DomainNameKind): string | null {
  if (kind === "hostname") {
    if (ascii.includes("_")) return `"${shown}" contains an underscore, which host names cannot have`;
    if (!/^[a-z0-9-]+$/.test(ascii)) return `"${shown}" may use only letters, digits and hyphens`;
    const hyphens = checkHyphens(shown);
    if (hyphens) return hyphens;
  } else if (!/^[a-z0-9_-]+$/.test(ascii)) {
    return `"${shown}" contains characters not allowed in DNS names`;
  }
  if (ascii.length > MAX_LABEL_LENGTH) return `"${shown}" is longer than ${MAX_LABEL_LENGTH} characters (the limit for one part of a domain)`;
  return null;
}

const DOTS = /[.\u3002\uff0e\uff61]/;

// Lower-case letters, digits, hyphens and underscores, dot-separated, at most one trailing dot, and
// no label that could be punycode (xn--): UTS #46 maps such a name to itself and finds nothing wrong.
const CANONICAL_ASCII = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/;
const MAYBE_PUNYCODE = /(?:^|\.)..--/;

/**
 * A name already in canonical A-label form — every name the DNS engine builds or receives from a
 * server, thousands per background re-check run — skips the UTS #46 tables: the result is what the
 * full path returns, with the same label and length rules applied.
 */
function asciiFastPath(input: string, kind: DomainNameKind): DomainNameResult | null {
  if (!CANONICAL_ASCII.test(input) || MAYBE_PUNYCODE.test(input)) return null;
  const name = input.endsWith(".") ? input.slice(0, -1) : input;
  const labels = name.split(".");
  for (const label of labels) {
    if (checkAsciiLabel(label, label, kind)) return null; // the full path words the error
  }
  if (name.length > MAX_NAME_LENGTH) return null;
  return { ok: true, ascii: name, unicode: name, labels };
}

/**
 * UTS #46 ToASCII of a whole name, with a sentence saying what is wrong when it cannot be used.
 * One trailing dot (the DNS root) is dropped. Single-label names are allowed here; callers that
 * need a registrable domain ask for more labels themselves.
 */
export function domainNameToAscii(input: string, kind: DomainNameKind = "dns"): DomainNameResult {
  const canonical = asciiFastPath(input, kind);
  if (canonical) return canonical;
  if (input.trim() === "") return { ok: false, error: "Enter a domain name" };
  const mapped = mapName(input);
  if (!mapped.ok) return mapped;
  if (mapped.invalid) {
    for (const raw of mapped.trimmed.split(DOTS)) {
      const problem = raw === "" ? null : diagnoseLabel(raw);
      if (problem) return { ok: false, error: problem };
    }
  }
  let unicode = mapped.mapped;
  if (unicode.endsWith(".") && unicode.length > 1) unicode = unicode.slice(0, -1);
  if (unicode === "" || unicode === ".") return { ok: false, error: "Enter a domain name" };
  const labels = unicode.split(".");
  if (labels.some((label) => label === "")) return { ok: false, error: "A domain cannot have empty parts (two dots in a row, or a leading dot)" };
  if (mapped.invalid) return { ok: false, error: `"${unicode}" is not a valid domain name` };

  if (toUnicode(unicode, STRICT).error) {
    for (const label of labels) {
      if (toUnicode(label, { ...BASE, checkJoiners: true }).error) {
        const shown = label.replace(/[\u200c\u200d]/g, "");
        return { ok: false, error: `"${shown}" contains a zero-width joiner or non-joiner (U+200D, U+200C) where the IDNA rules (CONTEXTJ) do not allow one` };
      }
    }
    // A label breaks the bidi rule (RFC 5893) only in a name with right-to-left text; pairing it with
    // a Hebrew label that passes on its own finds the label to name.
    const offender = labels.find((label) => toUnicode(`${label}.\u05d0`, { ...BASE, checkBidi: true }).error);
    return {
      ok: false,
      error: offender
        ? `"${offender}" mixes right-to-left and left-to-right text in a way domain names do not allow (the bidi rule of RFC 5893)`
        : "The name mixes right-to-left and left-to-right text in a way domain names do not allow (the bidi rule of RFC 5893)",
    };
  }

  const asciiLabels: string[] = [];
  for (const label of labels) {
    const ascii = toASCII(label, BASE);
    if (ascii === null) return { ok: false, error: `"${label}" is not a valid domain label` };
    const problem = checkAsciiLabel(ascii, label, kind);
    if (problem) return { ok: false, error: problem };
    asciiLabels.push(ascii);
  }
  const ascii = asciiLabels.join(".");
  if (ascii.length > MAX_NAME_LENGTH) return { ok: false, error: `A domain can be at most ${MAX_NAME_LENGTH} characters long` };
  return { ok: true, ascii, unicode: labels.join("."), labels: asciiLabels };
}

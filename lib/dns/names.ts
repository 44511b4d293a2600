import { isIP } from "node:net";

import { domainNameToAscii } from "./idna";

/** Thrown by {@link toAsciiName} for names that can never be queried. */
export class InvalidNameError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`Invalid DNS name "${input}": ${reason}`);
    this.name = "InvalidNameError";
  }
}

export type NameResult = { ok: true; name: string } | { ok: false; error: string };

const CANONICAL = /^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$/;

/**
 * Converts a domain name to its ASCII (A-label) form by UTS #46 (see ./idna.ts): trims, drops one
 * trailing dot, maps case and compatibility forms, converts Unicode labels to punycode and checks
 * label/name lengths. Underscore labels (_dmarc, _domainkey, ownership tokens) are the whole point
 * of this library, so host-name rules do not apply. Throws {@link InvalidNameError}; use
 * {@link tryAsciiName} for a result instead.
 */
export function toAsciiName(input: string): string {
  const result = tryAsciiName(input);
  if (!result.ok) throw new InvalidNameError(input, result.error);
  return result.name;
}

/** UTS #46 processing is most of a check's name handling, and a check repeats the same few names. */
const asciiNames = new Map<string, NameResult>();
const ASCII_NAMES_KEPT = 10_000;

export function tryAsciiName(input: unknown): NameResult {
  if (typeof input !== "string") return { ok: false, error: "not a string" };
  const known = asciiNames.get(input);
  if (known) return known;
  let result: NameResult;
  if (input.trim() === "" || input.trim() === ".") result = { ok: false, error: "empty name" };
  else {
    const converted = domainNameToAscii(input, "dns");
    result = converted.ok ? { ok: true, name: converted.ascii } : { ok: false, error: converted.error };
  }
  // A pure function of its input: kept results never go stale; the bound only limits memory.
  if (asciiNames.size >= ASCII_NAMES_KEPT) asciiNames.clear();
  asciiNames.set(input, result);
  return result;
}

/**
 * Canonical form for comparisons: ASCII, lowercase, no trailing dot. Never throws:
 * names that cannot be converted (e.g. odd bytes from a hostile server) are only
 * lowercased so they still compare unequal to valid names.
 */
export function normalizeName(name: string): string {
  // Hot path (every record of every reply, every cache key): ASCII lowercase names without
  // a trailing dot are already canonical.
  if (CANONICAL.test(name) && name.length <= 253) return name;
  const result = tryAsciiName(name);
  if (result.ok) return result.name;
  const trimmed = name.trim().toLowerCase();
  return trimmed.endsWith(".") ? trimmed.slice(0, -1) : trimmed;
}

/** Case-insensitive, trailing-dot-insensitive, Unicode/punycode-insensitive equality. */
export function sameName(a: string, b: string): boolean {
  return normalizeName(a) === normalizeName(b);
}

/** True when `name` equals `ancestor` or lies below it. */
export function isSubdomainOf(name: string, ancestor: string): boolean {
  const n = normalizeName(name);
  const a = normalizeName(ancestor);
  if (a === "" || a === ".") return true;
  return n === a || n.endsWith(`.${a}`);
}

/** `help.acme.com` → [`help.acme.com`, `acme.com`, `com`] (deepest first, root excluded). */
export function nameAndAncestors(name: string): string[] {
  const labels = normalizeName(name).split(".");
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 1) out.push(labels.slice(i).join("."));
  return out;
}

/**
 * The name as an administrator types it at a DNS host whose zone is `zone`:
 * `_x.help.acme.com` relative to `acme.com` is `_x.help`, the apex itself is `@`.
 */
export function relativeName(name: string, zone: string): string {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  if (n === z) return "@";
  if (n.endsWith(`.${z}`)) return n.slice(0, -(z.length + 1));
  return n;
}

/** True for IPv4/IPv6 literals, including `[::1]` and a trailing dot some UIs add. */
export function isIpLiteral(value: string): boolean {
  let v = value.trim();
  if (v.endsWith(".")) v = v.slice(0, -1);
  if (v.startsWith("[") && v.endsWith("]")) v = v.slice(1, -1);
  return isIP(v) !== 0;
}

import { isSubdomainOf, normalizeName } from "./names";

/** A TXT record as receivers see it: its character-strings and their concatenation. */
export interface TxtValue {
  strings: string[];
  value: string;
}

/** RFC 7208 §3.3 / RFC 6376 §3.6.2.2: the strings of one record are concatenated without separator. */
export function joinTxtStrings(strings: readonly string[]): string {
  return strings.join("");
}

export function toTxtValue(strings: readonly string[]): TxtValue {
  return { strings: [...strings], value: joinTxtStrings(strings) };
}

/** True when the value contains literal quote characters (typed into a DNS host's value field). */
export function hasLiteralQuotes(value: string): boolean {
  return /["\u201c\u201d]/.test(value);
}

/**
 * What the value would be without the quotes an administrator typed: removes straight and
 * curly double quotes, and joins `"a" "b"` (zone-file style typed into a web form) as DNS would.
 */
export function stripLiteralQuotes(value: string): string {
  return value.replace(/["\u201c\u201d]\s*["\u201c\u201d]/g, "").replace(/["\u201c\u201d]/g, "").trim();
}

/**
 * If `target` is exactly the concatenation of some of `pieces` (each used at most once, in
 * any order), returns the order, else null. Detects a value split into separate TXT
 * records instead of strings of one record. Bounded: at most 12 pieces are considered.
 */
export function findConcatenation(target: string, pieces: readonly string[]): number[] | null {
  const candidates = pieces.slice(0, 12);
  const used = new Array<boolean>(candidates.length).fill(false);
  const order: number[] = [];
  let steps = 0;
  const search = (position: number): boolean => {
    if (position === target.length) return order.length > 1;
    if ((steps += 1) > 10_000) return false;
    for (let i = 0; i < candidates.length; i += 1) {
      const piece = candidates[i];
      if (used[i] || !piece || !target.startsWith(piece, position)) continue;
      used[i] = true;
      order.push(i);
      if (search(position + piece.length)) return true;
      order.pop();
      used[i] = false;
    }
    return false;
  };
  return search(0) ? order : null;
}

/** The tags of a tag list (RFC 6376 §3.2) in written order, repeats kept: `tag=value` separated by `;`, whitespace folded away. */
function tagEntries(value: string): Array<[string, string]> {
  return value.split(";").flatMap((part): Array<[string, string]> => {
    const eq = part.indexOf("=");
    const tag = eq < 0 ? "" : part.slice(0, eq).trim().toLowerCase();
    return tag === "" ? [] : [[tag, part.slice(eq + 1).replace(/\s+/g, "")]];
  });
}

/** DKIM tag list (RFC 6376 §3.2): each tag's first value. */
export function parseTagList(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [tag, tagValue] of tagEntries(value)) if (!tags.has(tag)) tags.set(tag, tagValue);
  return tags;
}

/** The `p=` public key of a DKIM record or of the expected value, whitespace removed. */
export function dkimPublicKey(value: string): string | null {
  return parseTagList(value).get("p") ?? null;
}

/** A DKIM key record: `v=DKIM1` when present, and a `p=` tag. */
export function isDkimRecord(value: string): boolean {
  const tags = parseTagList(value);
  const version = tags.get("v");
  return tags.has("p") && (version === undefined || version === "DKIM1");
}

/**
 * A tag of a DKIM key record that changes what receivers do with it (RFC 6376 §3.6.1, §3.2).
 * `ignored`: verifiers ignore the record, or the key in it, and fail our signatures; `unsigned`:
 * they verify but treat the mail as unsigned; `strict`: only strict verifiers discard the record.
 */
export interface DkimTagProblem {
  kind: "hash" | "service" | "key_type" | "repeated_tag" | "testing" | "version_not_first";
  effect: "ignored" | "unsigned" | "strict";
  tag: string;
  value: string;
}

/** We sign rsa-sha256 (lib/domains/dkim/sign.ts): the one hash a key record must allow. */
const SIGNING_HASH = "sha256";

/**
 * What receivers make of the tags of a DKIM key record published for `expected` (the value we
 * asked for, which says the key type): each tag that makes them ignore the key, treat our mail as
 * unsigned, or that strict ones reject. Empty for a record they use as we intend.
 */
export function dkimTagProblems(published: string, expected: string): DkimTagProblem[] {
  const entries = tagEntries(published);
  const tags = parseTagList(published);
  const list = (tag: string) => (tags.get(tag) ?? "").toLowerCase().split(":");
  const problems: DkimTagProblem[] = [];
  const repeated = [...new Set(entries.map(([tag]) => tag).filter((tag, i, all) => all.indexOf(tag) !== i))];
  for (const tag of repeated) problems.push({ kind: "repeated_tag", effect: "ignored", tag, value: entries.filter(([t]) => t === tag).map(([, v]) => v).join(", ") });
  const hash = tags.get("h");
  if (hash !== undefined && !list("h").includes(SIGNING_HASH)) problems.push({ kind: "hash", effect: "ignored", tag: "h", value: hash });
  const service = tags.get("s");
  if (service !== undefined && !list("s").some((s) => s === "email" || s === "*")) problems.push({ kind: "service", effect: "ignored", tag: "s", value: service });
  const keyType = tags.get("k") ?? "rsa";
  if (keyType.toLowerCase() !== (parseTagList(expected).get("k") ?? "rsa").toLowerCase()) problems.push({ kind: "key_type", effect: "ignored", tag: "k", value: keyType });
  if (list("t").includes("y")) problems.push({ kind: "testing", effect: "unsigned", tag: "t", value: tags.get("t") ?? "" });
  if (tags.has("v") && entries[0]?.[0] !== "v") problems.push({ kind: "version_not_first", effect: "strict", tag: "v", value: tags.get("v") ?? "" });
  return problems;
}

/** Receivers use the key of this DKIM record for our signatures, and count mail signed with it as signed. */
export function dkimRecordUsable(published: string, expected: string): boolean {
  return isDkimRecord(published) && dkimTagProblems(published, expected).every((problem) => problem.effect === "strict");
}

export function isDmarcRecord(value: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/.test(value.trim());
}

/** A record that means to be DMARC but whose version tag is not exactly `DMARC1` (e.g. `v=dmarc1`): receivers ignore it. */
export function isMiscasedDmarcRecord(value: string): boolean {
  return !isDmarcRecord(value) && /^v\s*=\s*DMARC1\s*(;|$)/i.test(value.trim());
}

/** The DMARC policies receivers apply (RFC 7489 §6.3); anything else, or none, is read as `p=none` at best (§6.6.3). */
const DMARC_POLICIES = ["none", "quarantine", "reject"];

/** The record's `p=` when receivers apply it; null when it is missing or not a policy. */
export function dmarcPolicy(value: string): string | null {
  const policy = parseTagList(value).get("p")?.toLowerCase();
  return policy !== undefined && DMARC_POLICIES.includes(policy) ? policy : null;
}

/** The domains of a DMARC record's `rua=` mailto addresses (`mailto:reports@example.net!10m`). */
export function dmarcReportDomains(value: string): string[] {
  const rua = parseTagList(value).get("rua") ?? "";
  const domains = rua.split(",").flatMap((uri) => {
    const match = /^mailto:[^@]+@([^!]+)/i.exec(uri);
    return match?.[1] ? [normalizeName(match[1])] : [];
  });
  return [...new Set(domains)];
}

/**
 * The `rua=` domains of a DMARC record that must authorise reports about `domain` with a record at
 * `<domain>._report._dmarc.<destination>` (RFC 7489 §7.1): those outside the domain's own zone.
 * The address the console recommends (in `expected`) is left out: it is the platform's, authorised
 * once by its operator for every domain, and no admin could change anything about it.
 */
export function dmarcReportsNeedingAuthorization(value: string, domain: string, zoneApex: string, expected: string): Array<{ destination: string; name: string }> {
  const ours = new Set(dmarcReportDomains(expected));
  return dmarcReportDomains(value)
    .filter((destination) => !ours.has(destination) && !isSubdomainOf(destination, zoneApex) && !isSubdomainOf(domain, destination))
    .map((destination) => ({ destination, name: `${normalizeName(domain)}._report._dmarc.${destination}` }));
}

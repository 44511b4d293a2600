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

/** DKIM tag list (RFC 6376 §3.2): `tag=value` separated by `;`, whitespace around and inside values folded away. */
export function parseTagList(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const tag = part.slice(0, eq).trim().toLowerCase();
    if (tag === "" || tags.has(tag)) continue;
    tags.set(tag, part.slice(eq + 1).replace(/\s+/g, ""));
  }
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

export function isDmarcRecord(value: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/.test(value.trim());
}

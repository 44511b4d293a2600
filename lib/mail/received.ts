import { storableText } from "./headers";
import type { Hop, StoredHeader } from "./types";

/**
 * The `Received:` chain (RFC 5321 §4.4) as hops an admin can read: who handed the message to whom,
 * when, and how long it waited at each step. Each server prepends its own field, so the first
 * field is the newest; hops are returned oldest first. Servers write these fields loosely, so
 * every part is optional.
 */

const CLAUSES = new Set(["from", "by", "via", "with", "id", "for"]);

/** Splits the part before `;` into clauses at keywords outside parentheses (comments). */
function clauses(text: string): Map<string, string> {
  const result = new Map<string, string>();
  let depth = 0;
  let key: string | null = null;
  let start = 0;
  const close = (end: number) => {
    if (key && !result.has(key)) result.set(key, text.slice(start, end).trim());
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === "(") depth++;
    else if (char === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0 && (index === 0 || /\s/.test(text[index - 1]!))) {
      const word = /^[a-z]+/i.exec(text.slice(index, index + 5))?.[0]?.toLowerCase();
      const after = text[index + (word?.length ?? 0)];
      if (word && CLAUSES.has(word) && (after === undefined || /\s/.test(after))) {
        close(index);
        key = word;
        start = index + word.length;
        index += word.length - 1;
      }
    }
  }
  close(text.length);
  return result;
}

export function parseReceived(value: string): Omit<Hop, "delaySeconds"> {
  const raw = storableText(value.replace(/\s+/g, " ").trim(), 2_000);
  const semicolon = raw.lastIndexOf(";");
  const head = semicolon >= 0 ? raw.slice(0, semicolon) : raw;
  const dateText = semicolon >= 0 ? raw.slice(semicolon + 1).replace(/\([^)]*\)/g, "").trim() : "";
  const parsed = dateText ? Date.parse(dateText) : Number.NaN;
  const parts = clauses(head);
  const from = parts.get("from") ?? null;
  const ip = from ? (/\[(?:IPv6:)?([0-9a-f.:]+)\]/i.exec(from)?.[1] ?? null) : null;
  const recipient = parts.get("for")?.replace(/[<>]/g, "").trim() || null;
  return {
    from: from || null,
    by: parts.get("by") || null,
    with: parts.get("with") || null,
    id: parts.get("id") || null,
    for: recipient,
    ip,
    at: Number.isNaN(parsed) ? null : new Date(parsed).toISOString(),
    raw,
  };
}

/** The chain from Received fields in header order (newest first), returned oldest first. */
export function receivedChain(fields: readonly StoredHeader[], limit = 100): Hop[] {
  const received = fields.filter((field) => field.name.toLowerCase() === "received").slice(0, limit);
  const hops = received.map((field) => parseReceived(field.value)).reverse();
  return hops.map((hop, index) => {
    const previous = index > 0 ? hops[index - 1]! : null;
    const delaySeconds = previous?.at && hop.at ? Math.round((Date.parse(hop.at) - Date.parse(previous.at)) / 1000) : null;
    return { ...hop, delaySeconds };
  });
}

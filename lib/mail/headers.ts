import type { StoredHeader } from "./types";

/**
 * The header section of a message as received, read without trusting it: lines may end in CRLF or
 * a bare LF, fields may be folded, malformed lines may appear, and the section may be enormous.
 * Pure functions; the gateway applies its limits with them before anything is parsed or stored.
 */

/** Header fields kept per message for display; a message with more is stored with the first ones. */
export const MAX_STORED_HEADERS = 500;
/** Longest header value kept for display (the raw message keeps everything). */
export const MAX_STORED_HEADER_VALUE = 8_000;

export interface MessageParts {
  /** Bytes of the header section, including the line breaks that end it. */
  headerBytes: number;
  /** Offset where the body starts (after the empty line), or the message length when there is none. */
  bodyOffset: number;
}

/** Finds the end of the header section: the first empty line, CRLF or bare LF. */
export function splitMessage(raw: Buffer): MessageParts {
  // A message that starts with an empty line has no header section at all.
  if (raw[0] === 0x0a) return { headerBytes: 0, bodyOffset: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headerBytes: 0, bodyOffset: 2 };
  for (let index = raw.indexOf(0x0a); index !== -1; index = raw.indexOf(0x0a, index + 1)) {
    const next = raw[index + 1];
    if (next === 0x0a) return { headerBytes: index + 1, bodyOffset: index + 2 };
    if (next === 0x0d && raw[index + 2] === 0x0a) return { headerBytes: index + 1, bodyOffset: index + 3 };
  }
  return { headerBytes: raw.length, bodyOffset: raw.length };
}

/** Text PostgreSQL accepts: no NUL characters (text and jsonb reject them). */
export function storableText(value: string, maxLength?: number): string {
  const clean = value.replace(/\u0000/g, "\uFFFD");
  return maxLength !== undefined && clean.length > maxLength ? clean.slice(0, maxLength) : clean;
}

/**
 * Header fields in order, continuation lines unfolded. A line that is neither a field nor a
 * continuation (no colon, or a space before it) is skipped: mail servers do the same.
 */
export function parseHeaderFields(headerSection: string, limit = Number.POSITIVE_INFINITY): StoredHeader[] {
  const fields: StoredHeader[] = [];
  let current: StoredHeader | null = null;
  for (const line of headerSection.split(/\r?\n/)) {
    if (line === "") continue;
    if ((line.startsWith(" ") || line.startsWith("\t")) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
      current = null;
      continue;
    }
    if (fields.length >= limit) break;
    current = { name, value: line.slice(colon + 1).trim() };
    fields.push(current);
  }
  return fields;
}

export function headerValues(fields: readonly StoredHeader[], name: string): string[] {
  const wanted = name.toLowerCase();
  return fields.filter((field) => field.name.toLowerCase() === wanted).map((field) => field.value);
}

/** Fields as stored for display: capped in number and length, NUL-free. */
export function storedHeaders(fields: readonly StoredHeader[]): StoredHeader[] {
  return fields.slice(0, MAX_STORED_HEADERS).map((field) => ({ name: storableText(field.name, 200), value: storableText(field.value, MAX_STORED_HEADER_VALUE) }));
}

export type HeaderVerdict =
  | { ok: true; fields: StoredHeader[]; parts: MessageParts }
  | { ok: false; reason: "header_too_large"; headerBytes: number }
  | { ok: false; reason: "mail_loop"; received: number; fields: StoredHeader[]; parts: MessageParts };

/**
 * The gateway's header limits: a header section over `maxHeaderBytes` is refused before it is
 * parsed; more than `maxReceived` Received fields means the message is going round in circles.
 */
export function inspectHeaders(raw: Buffer, limits: { maxHeaderBytes: number; maxReceived: number }): HeaderVerdict {
  const parts = splitMessage(raw);
  if (parts.headerBytes > limits.maxHeaderBytes) return { ok: false, reason: "header_too_large", headerBytes: parts.headerBytes };
  const fields = parseHeaderFields(raw.subarray(0, parts.headerBytes).toString("utf8"));
  const received = fields.filter((field) => field.name.toLowerCase() === "received").length;
  if (received > limits.maxReceived) return { ok: false, reason: "mail_loop", received, fields, parts };
  return { ok: true, fields, parts };
}

/** An address in angle brackets or bare, from a header value or a Received `for` clause. */
const ADDRESS = /[^\s<>,;:"()[\]@]+@[^\s<>,;:"()[\]@]+/g;

export function addressesIn(value: string): string[] {
  // Display names may be quoted strings containing commas or @: drop quoted parts first.
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, " ");
  return [...unquoted.matchAll(ADDRESS)].map((match) => match[0].replace(/\.$/, ""));
}

import { randomInt } from "node:crypto";
import * as dnsPacket from "dns-packet";
import { normalizeName } from "./names";
import type { DnsRecord, QueryType } from "./types";
import { QUERY_TYPES } from "./types";

/** EDNS0 payload size recommended by DNS Flag Day 2020: avoids IP fragmentation. */
export const EDNS_UDP_PAYLOAD = 1232;

const TYPE_CODES: Record<QueryType, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };
const CLASS_IN = 1;

export interface QuerySpec {
  id: number;
  name: string;
  type: QueryType;
  recursive: boolean;
  edns: boolean;
}

export function randomQueryId(): number {
  return randomInt(0, 65536);
}

export function encodeQuery(spec: QuerySpec): Buffer {
  return dnsPacket.encode({
    type: "query",
    id: spec.id,
    flags: spec.recursive ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: spec.type, name: spec.name, class: "IN" }],
    additionals: spec.edns
      ? [{ type: "OPT", name: ".", udpPayloadSize: EDNS_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
      : [],
  });
}

export interface ParsedReply {
  id: number;
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  recursionAvailable: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/**
 * How a datagram relates to an outstanding query.
 * - `ignore`: not a reply to it (other id, other question, not a response): keep waiting.
 * - `garbled`: carries our id but its question cannot be read; kept as evidence so a
 *   server that only ever sends garbage ends as `malformed` rather than `timeout`.
 * - `reply` / `malformed`: accepted as the reply (id and question match).
 */
export type ReplyMatch =
  | { kind: "ignore"; reason: string }
  | { kind: "garbled"; reason: string }
  | { kind: "malformed"; message: string }
  | { kind: "reply"; reply: ParsedReply };

interface PeekedQuestion {
  name: string;
  type: number;
  klass: number;
}

/** Reads a (possibly compressed) name without trusting anything in the buffer. */
function readName(buf: Buffer, start: number): { name: string; next: number } | null {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  let jumps = 0;
  let length = 0;
  // Each iteration consumes a label or a pointer; both are bounded, so is the loop.
  for (let guard = 0; guard < 256; guard += 1) {
    if (offset >= buf.length) return null;
    const len = buf[offset] ?? 0;
    if (len === 0) {
      if (next < 0) next = offset + 1;
      return { name: labels.join("."), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= buf.length) return null;
      const pointer = ((len & 0x3f) << 8) | (buf[offset + 1] ?? 0);
      if (next < 0) next = offset + 2;
      if (pointer >= offset || (jumps += 1) > 32) return null;
      offset = pointer;
      continue;
    }
    if ((len & 0xc0) !== 0) return null;
    if (offset + 1 + len > buf.length) return null;
    length += len + 1;
    if (length > 255) return null;
    labels.push(buf.toString("latin1", offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  return null;
}

function peekQuestion(buf: Buffer): PeekedQuestion | null {
  const name = readName(buf, 12);
  if (!name || name.next + 4 > buf.length) return null;
  return { name: name.name, type: buf.readUInt16BE(name.next), klass: buf.readUInt16BE(name.next + 2) };
}

const ERROR_RCODES_WITHOUT_QUESTION = new Set([1, 2, 4, 5]);

/**
 * Decides whether `msg` answers `spec` and, if so, decodes and validates it. Never throws:
 * anything a server sends ends in one of the {@link ReplyMatch} kinds.
 */
export function matchReply(msg: Buffer, spec: Pick<QuerySpec, "id" | "name" | "type">): ReplyMatch {
  try {
    return matchReplyUnsafe(msg, spec);
  } catch (error) {
    return { kind: "malformed", message: `undecodable reply: ${errorMessage(error)}` };
  }
}

function matchReplyUnsafe(msg: Buffer, spec: Pick<QuerySpec, "id" | "name" | "type">): ReplyMatch {
  if (msg.length < 12) return { kind: "ignore", reason: "shorter than a DNS header" };
  if (msg.readUInt16BE(0) !== spec.id) return { kind: "ignore", reason: "different query id" };
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { kind: "ignore", reason: "not a response" };
  const rcode = flags & 0x0f;
  const qdcount = msg.readUInt16BE(4);
  // Some servers strip the question from error replies (FORMERR, NOTIMP...): the id alone
  // is all they give us, and an error rcode cannot be used to plant data.
  if (qdcount === 0 && ERROR_RCODES_WITHOUT_QUESTION.has(rcode)) {
    return { kind: "reply", reply: emptyReply(spec.id, flags) };
  }
  if (qdcount !== 1) return { kind: "garbled", reason: `${qdcount} questions in reply` };
  const q = peekQuestion(msg);
  if (!q) return { kind: "garbled", reason: "question section cannot be read" };
  if (normalizeName(q.name) !== normalizeName(spec.name) || q.type !== TYPE_CODES[spec.type] || q.klass !== CLASS_IN) {
    return { kind: "ignore", reason: "reply to a different question" };
  }
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(msg);
  } catch (error) {
    return { kind: "malformed", message: `reply cannot be parsed: ${errorMessage(error)}` };
  }
  const answers = convertSection(decoded.answers, "answer");
  if (typeof answers === "string") return { kind: "malformed", message: answers };
  const authorities = convertSection(decoded.authorities, "authority");
  if (typeof authorities === "string") return { kind: "malformed", message: authorities };
  const additionals = convertSection(decoded.additionals, "additional");
  if (typeof additionals === "string") return { kind: "malformed", message: additionals };
  return {
    kind: "reply",
    reply: {
      id: spec.id,
      rcode: rcodeName(rcode),
      authoritative: (flags & 0x0400) !== 0,
      truncated: (flags & 0x0200) !== 0,
      recursionAvailable: (flags & 0x0080) !== 0,
      answers,
      authorities,
      additionals,
    },
  };
}

function emptyReply(id: number, flags: number): ParsedReply {
  return {
    id,
    rcode: rcodeName(flags & 0x0f),
    authoritative: (flags & 0x0400) !== 0,
    truncated: false,
    recursionAvailable: (flags & 0x0080) !== 0,
    answers: [],
    authorities: [],
    additionals: [],
  };
}

const RCODE_NAMES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

// 2^31-1: RFC 2181 §8 says TTLs with the top bit set are to be treated as zero.
function clampTtl(ttl: unknown): number | null {
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0) return null;
  return ttl > 0x7fffffff ? 0 : ttl;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isUint = (v: unknown, max: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * Converts dns-packet's loosely typed records into {@link DnsRecord}s, checking every
 * field: dns-packet decodes whatever bytes arrive, so shapes are only as good as the
 * sender. Records of other types or classes are dropped; a known type with a broken
 * shape makes the whole reply malformed.
 */
function convertSection(section: unknown, label: string): DnsRecord[] | string {
  if (section === undefined) return [];
  if (!Array.isArray(section)) return `${label} section is not a list`;
  const out: DnsRecord[] = [];
  for (const raw of section as unknown[]) {
    if (typeof raw !== "object" || raw === null) return `${label} record is not an object`;
    const record = raw as { type?: unknown; name?: unknown; ttl?: unknown; class?: unknown; data?: unknown };
    if (record.type === "OPT") continue;
    if (!isString(record.type) || !(QUERY_TYPES as readonly string[]).includes(record.type)) continue;
    if (record.class !== "IN") continue;
    const type = record.type as QueryType;
    if (!isString(record.name)) return `${label} ${type} record has no owner name`;
    const ttl = clampTtl(record.ttl);
    if (ttl === null) return `${label} ${type} record has an invalid TTL`;
    const name = normalizeName(record.name);
    const converted = convertData(type, name, ttl, record.data);
    if (typeof converted === "string") return `${label} ${type} record for ${name}: ${converted}`;
    out.push(converted);
  }
  return out;
}

function convertData(type: QueryType, name: string, ttl: number, data: unknown): DnsRecord | string {
  switch (type) {
    case "A":
    case "AAAA":
      return isString(data) ? { type, name, ttl, address: data } : "address missing";
    case "CNAME":
    case "NS":
      return isString(data) ? { type, name, ttl, target: normalizeName(data) } : "target missing";
    case "MX": {
      const mx = data as { preference?: unknown; exchange?: unknown } | null;
      if (typeof mx !== "object" || mx === null) return "data missing";
      if (!isUint(mx.preference, 0xffff) || !isString(mx.exchange)) return "invalid preference or exchange";
      return { type, name, ttl, preference: mx.preference, exchange: normalizeName(mx.exchange) };
    }
    case "TXT": {
      const parts = Array.isArray(data) ? (data as unknown[]) : [data];
      const strings: string[] = [];
      for (const part of parts) {
        if (Buffer.isBuffer(part)) strings.push(part.toString("utf8"));
        else if (isString(part)) strings.push(part);
        else return "character-string is not text";
      }
      return { type, name, ttl, strings, value: strings.join("") };
    }
    case "SOA": {
      const soa = data as Record<string, unknown> | null;
      if (typeof soa !== "object" || soa === null) return "data missing";
      const { mname, rname, serial, refresh, retry, expire, minimum } = soa;
      if (!isString(mname) || !isString(rname)) return "names missing";
      const nums = [serial, refresh, retry, expire, minimum];
      if (!nums.every((n) => isUint(n, 0xffffffff))) return "invalid timer field";
      return {
        type,
        name,
        ttl,
        mname: normalizeName(mname),
        rname: normalizeName(rname),
        serial: serial as number,
        refresh: refresh as number,
        retry: retry as number,
        expire: expire as number,
        minimum: minimum as number,
      };
    }
  }
}

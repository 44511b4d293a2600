import "server-only";

import { parseAddressHeader, simpleParser } from "mailparser";

import { headerValues, type MessageParts } from "./headers";
import { TRACE_HEADER, type StoredHeader } from "./types";

/**
 * What the Messages log shows of a message's headers, decoded (RFC 2047 encoded words, charsets)
 * by mailparser. Only the header section is parsed: the body, however large, is stored untouched.
 */
export interface MessageInfo {
  subject: string | null;
  messageIdHeader: string | null;
  headerFrom: string | null;
  sentAt: Date | null;
  traceToken: string | null;
}

const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

/** An RFC 2047 encoded word may be in the text: only mailparser's whole-header decoding reads it. */
const ENCODED_WORD = "=?";

/**
 * The first value mailparser would keep for a single-valued field: it skips empty ones
 * (mail-parser.js, processHeaders).
 */
function firstNonEmpty(fields: readonly StoredHeader[], name: string): string | null {
  return headerValues(fields, name).find((value) => value !== "") ?? null;
}

/** mailparser's Message-ID form: angle brackets added where the sender left them out. */
function messageIdForm(value: string): string {
  return `${value.startsWith("<") ? "" : "<"}${value}${value.endsWith(">") ? "" : ">"}`;
}

export async function readMessageInfo(raw: Buffer, parts: MessageParts, fields: readonly StoredHeader[]): Promise<MessageInfo> {
  const token = headerValues(fields, TRACE_HEADER)[0]?.trim() ?? "";
  const traceToken = TOKEN.test(token) ? token : null;
  if (parts.headerBytes === 0) return { subject: null, messageIdHeader: null, headerFrom: null, sentAt: null, traceToken };
  const subject = firstNonEmpty(fields, "Subject");
  const messageId = firstNonEmpty(fields, "Message-ID");
  const fromValue = headerValues(fields, "From")[0];
  const dateValue = headerValues(fields, "Date")[0];
  const parsedDate = dateValue === undefined ? null : new Date(dateValue);
  const sentAt = parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : null;
  // Nearly every message: fields as they came (mailparser would return them unchanged), and From
  // through mailparser's own address parser. Starting mailparser's streams for the header section
  // cost more CPU than the rest of this module's work together (bench/inbound.ts).
  if (!subject?.includes(ENCODED_WORD) && !messageId?.includes(ENCODED_WORD)) {
    let headerFrom: string | null = null;
    try {
      headerFrom = fromValue === undefined ? null : parseAddressHeader(fromValue).text || null;
    } catch {
      // An address list mailparser cannot read: the log shows no sender name rather than a guess.
    }
    return { subject, messageIdHeader: messageId === null ? null : messageIdForm(messageId), headerFrom, sentAt, traceToken };
  }
  try {
    const parsed = await simpleParser(raw.subarray(0, parts.bodyOffset), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    return {
      subject: parsed.subject ?? null,
      messageIdHeader: parsed.messageId ?? null,
      headerFrom: parsed.from?.text || null,
      // mailparser puts the current time in place of a Date it cannot read; the log keeps none.
      sentAt,
      traceToken,
    };
  } catch {
    // A header section mailparser cannot read is still a message: keep it, without these details.
    return { subject, messageIdHeader: messageId, headerFrom: null, sentAt: null, traceToken };
  }
}

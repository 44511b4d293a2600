import "server-only";

import { simpleParser } from "mailparser";

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

export async function readMessageInfo(raw: Buffer, parts: MessageParts, fields: readonly StoredHeader[]): Promise<MessageInfo> {
  const token = headerValues(fields, TRACE_HEADER)[0]?.trim() ?? "";
  const traceToken = TOKEN.test(token) ? token : null;
  if (parts.headerBytes === 0) return { subject: null, messageIdHeader: null, headerFrom: null, sentAt: null, traceToken };
  try {
    const parsed = await simpleParser(raw.subarray(0, parts.bodyOffset), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const sentAt = parsed.date && !Number.isNaN(parsed.date.getTime()) && headerValues(fields, "Date").length > 0 ? parsed.date : null;
    return {
      subject: parsed.subject ?? null,
      messageIdHeader: parsed.messageId ?? null,
      headerFrom: parsed.from?.text || null,
      sentAt,
      traceToken,
    };
  } catch {
    // A header section mailparser cannot read is still a message: keep it, without these details.
    return { subject: headerValues(fields, "Subject")[0] ?? null, messageIdHeader: headerValues(fields, "Message-ID")[0] ?? null, headerFrom: null, sentAt: null, traceToken };
  }
}

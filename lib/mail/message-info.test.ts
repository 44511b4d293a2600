import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";

import { inspectHeaders } from "./headers";
import { readMessageInfo } from "./message-info";

const LIMITS = { maxHeaderBytes: 65_536, maxReceived: 50 };

async function read(text: string | Buffer) {
  const raw = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const verdict = inspectHeaders(raw, LIMITS);
  if (!verdict.ok) throw new Error(`header section refused: ${verdict.reason}`);
  return readMessageInfo(raw, verdict.parts, verdict.fields);
}

/** What mailparser's whole parser reads from the same header section, in the log's terms. */
async function mailparserReads(text: string) {
  const parsed = await simpleParser(text, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return { subject: parsed.subject ?? null, messageIdHeader: parsed.messageId ?? null, headerFrom: parsed.from?.text || null, sentAt: parsed.date ?? null };
}

describe("readMessageInfo", () => {
  // Header sections the gateway sees every day: each must read exactly as mailparser reads it.
  const sections = [
    "From: Customer 1 <customer1@shop.test>\r\nTo: <agent5@support.acme.test>\r\nSubject: Order 100001: where is my parcel?\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <bench-1@shop.test>\r\n\r\nbody\r\n",
    'From: "Doe, Jane" <jane@shop.test>, bob@shop.test\r\nSubject: a long\r\n folded subject\r\nMessage-ID: no-brackets@shop.test\r\nDate: 1 Dec 2026 10:00 GMT\r\n\r\n',
    "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@shop.test>\r\nSubject: Grüße aus Köln\r\n\r\n",
    "From: jm@xn--mnchen-3ya.test\r\nSubject:\r\nSubject: second subject, first was empty\r\nMessage-ID: \r\nMessage-ID: <second@shop.test>\r\n\r\n",
    "Subject: =?UTF-8?B?QmVzdGVsbHVuZyDDvGJlcg==?=\r\nMessage-ID: <=?utf-8?q?odd?=@shop.test>\r\nFrom: a@shop.test\r\n\r\n",
    "Subject: only a subject\nFrom: a@shop.test\n\nbare LF lines\n",
    "From: undisclosed-recipients:;\r\nSubject: group syntax\r\n\r\n",
  ];

  it.each(sections)("reads what mailparser reads: %j", async (section) => {
    expect(await read(section)).toEqual({ ...(await mailparserReads(section)), traceToken: null });
  });

  it("keeps no sending time when the Date header does not parse (mailparser would put in the current time)", async () => {
    expect((await read("Subject: s\r\nDate: sometime last week\r\n\r\n")).sentAt).toBeNull();
    expect((await read("Subject: s\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\n")).sentAt).toEqual(new Date("2026-12-01T10:00:00Z"));
    expect((await read("Subject: s\r\n\r\n")).sentAt).toBeNull();
  });

  it("reads nothing from a message without a header section, and the trace token only when it is well formed", async () => {
    expect(await read("\r\njust a body\r\n")).toEqual({ subject: null, messageIdHeader: null, headerFrom: null, sentAt: null, traceToken: null });
    expect((await read("X-Email-Routing-Trace: erc-abc.123\r\n\r\n")).traceToken).toBe("erc-abc.123");
    expect((await read("X-Email-Routing-Trace: not a token!\r\n\r\n")).traceToken).toBeNull();
  });

  it("decodes raw UTF-8 and leaves undecodable bytes visible rather than failing", async () => {
    const info = await read(Buffer.concat([Buffer.from("Subject: caf", "latin1"), Buffer.from([0xe9]), Buffer.from("\r\nFrom: a@shop.test\r\n\r\n", "latin1")]));
    expect(info.subject).toBe("caf\uFFFD");
    expect(info.headerFrom).toBe("a@shop.test");
  });
});

import { describe, expect, it } from "vitest";

import { addressesIn, inspectHeaders, parseHeaderFields, splitMessage, storableText } from "./headers";
import { findOriginalRecipient } from "./original-recipient";
import { parseReceived, receivedChain } from "./received";
import { refusals, replyLine } from "./replies";

const message = (text: string) => Buffer.from(text, "utf8");

describe("header section", () => {
  it("ends at the first empty line, whether lines end in CRLF or a bare LF", () => {
    expect(splitMessage(message("Subject: a\r\nFrom: b@c.test\r\n\r\nbody\r\n"))).toEqual({ headerBytes: 28, bodyOffset: 30 });
    expect(splitMessage(message("Subject: a\nFrom: b@c.test\n\nbody\n"))).toEqual({ headerBytes: 26, bodyOffset: 27 });
    expect(splitMessage(message("\r\nonly a body\r\n"))).toEqual({ headerBytes: 0, bodyOffset: 2 });
    expect(splitMessage(message("Subject: no body at all"))).toEqual({ headerBytes: 23, bodyOffset: 23 });
  });

  it("unfolds continuation lines and skips lines that are not fields", () => {
    const fields = parseHeaderFields("Subject: a long\r\n  subject\r\nnot a header line\r\nX-Empty:\r\nTo: a@b.test,\r\n\tc@d.test\r\n");
    expect(fields).toEqual([
      { name: "Subject", value: "a long subject" },
      { name: "X-Empty", value: "" },
      { name: "To", value: "a@b.test, c@d.test" },
    ]);
  });

  it("refuses a header section over the size limit before parsing it, and counts Received fields for loops", () => {
    const huge = message(`Subject: x\r\nX-Filler: ${"a".repeat(5000)}\r\n\r\nbody`);
    expect(inspectHeaders(huge, { maxHeaderBytes: 4096, maxReceived: 50 })).toEqual({ ok: false, reason: "header_too_large", headerBytes: 5024 });
    const looping = message(`${"Received: from a by b; Tue, 1 Dec 2026 10:00:00 +0000\r\n".repeat(4)}Subject: x\r\n\r\nbody`);
    expect(inspectHeaders(looping, { maxHeaderBytes: 65536, maxReceived: 3 })).toMatchObject({ ok: false, reason: "mail_loop", received: 4 });
    expect(inspectHeaders(looping, { maxHeaderBytes: 65536, maxReceived: 4 })).toMatchObject({ ok: true });
  });

  it("makes any text storable in PostgreSQL (no NUL characters)", () => {
    expect(storableText("a\u0000b", 10)).toBe("a\uFFFDb");
    expect(storableText("abcdef", 3)).toBe("abc");
  });

  it("finds addresses in address lists, ignoring quoted display names", () => {
    expect(addressesIn('"Doe, Jane (jane@not-this.test)" <jane@acme.test>, bob@acme.test')).toEqual(["jane@acme.test", "bob@acme.test"]);
    expect(addressesIn("<support@acme.test>")).toEqual(["support@acme.test"]);
  });
});

describe("Received chain", () => {
  it("reads each clause, the sender's IP and the time stamp", () => {
    const hop = parseReceived(
      "from mail.sender.test (mail.sender.test [203.0.113.5]) by mx.acme.test (Postfix) with ESMTPS id 4AbC12 for <support@acme.test>; Tue, 1 Dec 2026 10:00:05 +0100 (CET)",
    );
    expect(hop).toMatchObject({
      from: "mail.sender.test (mail.sender.test [203.0.113.5])",
      by: "mx.acme.test (Postfix)",
      with: "ESMTPS",
      id: "4AbC12",
      for: "support@acme.test",
      ip: "203.0.113.5",
      at: "2026-12-01T09:00:05.000Z",
    });
    expect(parseReceived("from [IPv6:2001:db8::1] by x.test; garbage date")).toMatchObject({ ip: "2001:db8::1", at: null });
    expect(parseReceived("by local.test id 12 with local")).toMatchObject({ from: null, by: "local.test", id: "12", with: "local" });
  });

  it("returns hops oldest first with the wait at each", () => {
    const hops = receivedChain([
      { name: "Received", value: "from b.test by c.test; Tue, 1 Dec 2026 10:00:09 +0000" },
      { name: "Subject", value: "x" },
      { name: "received", value: "from a.test by b.test; Tue, 1 Dec 2026 10:00:00 +0000" },
    ]);
    expect(hops.map((hop) => [hop.by, hop.delaySeconds])).toEqual([
      ["b.test", null],
      ["c.test", 9],
    ]);
  });
});

describe("original recipient (scenarios 2 and 4)", () => {
  const headers = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

  it("prefers the redirecting server's X-Original-To or Delivered-To", () => {
    expect(findOriginalRecipient("support@help.acme.test", headers([["X-Original-To", "support@acme.test"], ["To", "Support <support@acme.test>"]]))).toBe("support@acme.test");
    expect(findOriginalRecipient("support@acme.platform.test", headers([["Delivered-To", "helpdesk@acme.test"]]))).toBe("helpdesk@acme.test");
  });

  it("otherwise takes the To/Cc address with the same local part, or one on the original domain", () => {
    expect(findOriginalRecipient("Support@help.acme.test", headers([["To", "Sales <sales@acme.test>"], ["Cc", "support@acme.test"]]))).toBe("support@acme.test");
    expect(findOriginalRecipient("support@help.acme.test", headers([["To", "hello@acme.test"]]), { originalDomain: "acme.test" })).toBe("hello@acme.test");
  });

  it("takes the address the redirecting server received the message for, from its Received field: a Bcc'd address shows nowhere else", () => {
    const bcc = (receivedFor: string) =>
      headers([
        ["Received", `from mx.sender.test (mx.sender.test [192.0.2.7])\r\n\tby mail.acme.test (Postfix) with ESMTP id 4F2A1\r\n\tfor <${receivedFor}>; Tue, 1 Dec 2026 10:00:09 +0000`],
        ["Received", "from [10.0.0.5] by mx.sender.test; Tue, 1 Dec 2026 10:00:01 +0000 (for <older@acme.test>)"],
        ["To", "Sales <sales@acme.test>"],
      ]);
    expect(findOriginalRecipient("support@help.acme.test", bcc("support@acme.test"), { originalDomain: "acme.test" })).toBe("support@acme.test");
    // A server that received it for the registered address itself (no redirect there) tells nothing: To/Cc decide.
    expect(findOriginalRecipient("support@help.acme.test", bcc("support@help.acme.test"), { originalDomain: "acme.test" })).toBe("sales@acme.test");
    // Nor does one that received it for someone the redirect cannot have come from.
    expect(findOriginalRecipient("support@help.acme.test", bcc("friend@elsewhere.test"))).toBeNull();
    // The customer also wrote to the registered address directly; this copy came by the redirect.
    const both = headers([
      ["Received", "from mx.sender.test by mail.acme.test for <support@acme.test>; Tue, 1 Dec 2026 10:00:09 +0000"],
      ["To", "support@help.acme.test, support@acme.test"],
    ]);
    expect(findOriginalRecipient("support@help.acme.test", both)).toBe("support@acme.test");
  });

  it("claims nothing when the customer wrote to the registered address, or to someone else entirely", () => {
    expect(findOriginalRecipient("support@help.acme.test", headers([["To", "support@help.acme.test"]]))).toBeNull();
    expect(findOriginalRecipient("support@help.acme.test", headers([["To", "friend@elsewhere.test"]]))).toBeNull();
    expect(findOriginalRecipient("support@help.acme.test", headers([]))).toBeNull();
  });
});

describe("refusal replies", () => {
  it("use the codes senders act on, with the enhanced status in the text", () => {
    expect(replyLine(refusals.noRoute("sales@help.acme.test", "help.acme.test", ["support@help.acme.test"]))).toBe(
      "550 5.1.1 <sales@help.acme.test>: Recipient address rejected: no such address here",
    );
    expect(refusals.noRoute("sales@help.acme.test", "help.acme.test", ["sale@help.acme.test", "support@help.acme.test"]).explanation).toBe(
      "No route for sales@help.acme.test; the closest routes are sale@help.acme.test and support@help.acme.test.",
    );
    expect(refusals.noRoute("sales@help.acme.test", "help.acme.test", ["sale@help.acme.test"]).explanation).toBe(
      "No route for sales@help.acme.test; the closest route is sale@help.acme.test.",
    );
    expect(replyLine(refusals.relayDenied("x@elsewhere.test", "elsewhere.test"))).toBe("550 5.7.1 <x@elsewhere.test>: Relaying denied");
    expect(refusals.domainNotVerified("a@new.acme.test", "new.acme.test", "pending")).toMatchObject({ code: 450, enhancedStatus: "4.7.1" });
    expect(refusals.messageTooLarge(30 * 1024 * 1024, 25 * 1024 * 1024)).toMatchObject({ code: 552, enhancedStatus: "5.3.4" });
    expect(refusals.mailLoop(51, 50)).toMatchObject({ code: 554, enhancedStatus: "5.4.6" });
    expect(refusals.temporaryFailure()).toMatchObject({ code: 451, enhancedStatus: "4.3.0" });
  });
});

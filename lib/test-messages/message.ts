import "server-only";

import MailComposer from "nodemailer/lib/mail-composer";

import { dkimSignatureFor, type DkimSigningKey } from "@/lib/domains/dkim/sign";
import { log } from "@/lib/log";
import { TRACE_HEADER } from "@/lib/mail/types";

/**
 * The test message itself: plain text saying what it is, the trace token in its own header (the
 * gateway stores it in `trace_token`), and `Auto-Submitted` so that no auto-responder answers it.
 * Composed by nodemailer's MIME composer (encodings, folding, Message-ID).
 */
export interface TestMessageContent {
  id: string;
  token: string;
  from: string;
  to: string;
  routeAddress: string;
  viaRedirect: boolean;
  queueName: string;
  sentBy: string;
  heloName: string;
  date: Date;
}

export function composeTestMessage(content: TestMessageContent): Promise<Buffer> {
  const path = content.viaRedirect
    ? `Your mail server should deliver this copy to ${content.to} as usual and pass the same message on to ${content.routeAddress}, where it reaches the ${content.queueName} queue.`
    : `It should reach the ${content.queueName} queue.`;
  const text = [
    `This is a test message from the Email Routing Console, sent by ${content.sentBy} to ${content.to}.`,
    "",
    path,
    "The console follows it and shows each step; nobody needs to answer it.",
    "",
    `Trace: ${content.id}`,
  ].join("\n");
  const mail = new MailComposer({
    from: { name: "Email Routing Console", address: content.from },
    to: content.to,
    subject: `Test message to ${content.to}`,
    text,
    date: content.date,
    messageId: `<test-${content.id}@${content.heloName}>`,
    headers: { [TRACE_HEADER]: content.token, "Auto-Submitted": "auto-generated" },
  });
  return new Promise((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))));
}

/**
 * DKIM-signs the composed message for the platform domain (TEST_MESSAGE_DKIM_KEY). A redirect in
 * scenarios 2 and 4 passes the message on from the admin's mail server, whose address the platform
 * domain's SPF record does not list; the signature survives the redirect, so DMARC still passes
 * and the message is not taken for spam. When signing fails the message goes unsigned, as without
 * a key, and the log says why.
 */
export async function signWithPlatformKey(raw: Buffer, signer: DkimSigningKey): Promise<Buffer> {
  const signed = await dkimSignatureFor(raw, signer);
  if (!signed.ok) {
    log.error({ err: signed.error, selector: signer.selector }, "test message not DKIM-signed: mailauth could not sign with TEST_MESSAGE_DKIM_KEY");
    return raw;
  }
  return Buffer.concat([Buffer.from(signed.header, "utf8"), raw]);
}

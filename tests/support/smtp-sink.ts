import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server on loopback that accepts every message and keeps it, for tests that need a
 * mail server at the other end (a customer's mailbox, our inbound gateway, a sender's server).
 *
 *   const sink = await startSmtpSink();
 *   …point something at 127.0.0.1:sink.port…
 *   const [message] = await sink.waitFor(1);   // resolves when the message has arrived
 *   await sink.close();
 */
export interface ReceivedMessage {
  /** MAIL FROM ("" for a bounce). */
  envelopeFrom: string;
  /** RCPT TO, in order. */
  recipients: string[];
  raw: string;
  /** Header fields, names lower-cased, folded lines joined; repeated fields keep every value. */
  headers: Map<string, string[]>;
  header(name: string): string | undefined;
}

export interface SmtpSink {
  host: "127.0.0.1";
  port: number;
  messages: ReceivedMessage[];
  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`, saying what did arrive. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export function parseHeaders(raw: string): Map<string, string[]> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const headers = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

export async function startSmtpSink(options: { name?: string } = {}): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const arrivals = new EventEmitter();
  const server = new SMTPServer({
    name: options.name ?? "sink.test",
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    // The default reverse lookup of each client would ask the machine's resolver, off loopback.
    disableReverseLookup: true,
    // A client that keeps its connection open (Postfix caches them) must not hold up close().
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const headers = parseHeaders(raw);
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          envelopeFrom: mailFrom ? mailFrom.address : "",
          recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          headers,
          header: (name) => headers.get(name.toLowerCase())?.[0],
        });
        arrivals.emit("message");
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.on("error", reject);
    const listener = server.listen(0, "127.0.0.1", () => resolve((listener.address() as AddressInfo).port));
  });
  return {
    host: "127.0.0.1",
    port,
    messages,
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          arrivals.off("message", check);
          clearTimeout(timer);
          resolve(messages.slice(0, count));
        };
        const timer = setTimeout(() => {
          arrivals.off("message", check);
          reject(new Error(`expected ${count} message(s) on 127.0.0.1:${port} within ${timeoutMs} ms; got ${messages.length}`));
        }, timeoutMs);
        arrivals.on("message", check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

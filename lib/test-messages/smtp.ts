import "server-only";

import SMTPConnection from "nodemailer/lib/smtp-connection";

import type { SmtpAttempt } from "./types";

/**
 * One SMTP delivery attempt to one MX address, as a sending MTA makes it: EHLO with our name,
 * STARTTLS when offered (certificates are not checked, as MX-to-MX delivery does not check them),
 * MAIL FROM, RCPT TO, DATA. Protocol by nodemailer's SMTP client; what is ours is turning every
 * way it can end into a reply or an error an admin can read. Never rejects.
 */
export interface SmtpTarget {
  exchange: string;
  /** Already checked against the address policy: the socket connects to exactly this address. */
  address: string;
  port: number;
}

export interface SmtpTimeouts {
  connectMs: number;
  greetingMs: number;
  socketMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connectMs: 15_000, greetingMs: 30_000, socketMs: 60_000 };

export interface SmtpMessage {
  heloName: string;
  envelopeFrom: string;
  recipient: string;
  raw: Buffer;
}

type SmtpError = SMTPConnection.SMTPError;

/** A reply line as servers send it, without trailing whitespace, at most 500 characters. */
function replyText(text: string | undefined): string | null {
  const value = text?.replace(/\s+$/, "");
  return value ? value.slice(0, 500) : null;
}

function describeFailure(error: SmtpError, target: SmtpTarget, timeouts: SmtpTimeouts): Pick<SmtpAttempt, "outcome" | "reply" | "code" | "command" | "error"> {
  const where = `${target.exchange} (${target.address} port ${target.port})`;
  const reply = replyText(error.response);
  const code = error.responseCode ?? null;
  const command = error.command && error.command !== "CONN" && error.command !== "API" ? error.command : null;
  if (reply && code !== null && code >= 400) {
    return { outcome: code >= 500 ? "refused" : "deferred", reply, code, command, error: null };
  }
  const message = error.message ?? String(error);
  if (/ECONNREFUSED/.test(message)) return { outcome: "connection_refused", reply: null, code: null, command: null, error: `${where} refused the connection (nothing listens on that port).` };
  if (error.code === "ETIMEDOUT") {
    const what = /greeting/i.test(message)
      ? `${where} accepted the connection but sent no greeting within ${timeouts.greetingMs / 1000} s.`
      : /connection timeout/i.test(message)
        ? `Connecting to ${where} timed out after ${timeouts.connectMs / 1000} s.`
        : `${where} stopped answering for ${timeouts.socketMs / 1000} s.`;
    return { outcome: "timed_out", reply, code, command, error: what };
  }
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return { outcome: "connection_failed", reply: null, code: null, command: null, error: `${where} cannot be reached from our network.` };
  if (/ECONNRESET|closed unexpectedly/i.test(message)) {
    return { outcome: "connection_failed", reply, code, command, error: `${where} closed the connection${command ? ` after ${command}` : ""}.` };
  }
  return { outcome: "connection_failed", reply, code, command, error: `Delivery to ${where} failed: ${message.slice(0, 300)}` };
}

export function deliverOnce(target: SmtpTarget, message: SmtpMessage, timeouts: SmtpTimeouts = DEFAULT_SMTP_TIMEOUTS): Promise<SmtpAttempt> {
  const at = new Date().toISOString();
  const base = { exchange: target.exchange, address: target.address, port: target.port, at };
  return new Promise<SmtpAttempt>((resolve) => {
    let settled = false;
    const connection = new SMTPConnection({
      host: target.address,
      port: target.port,
      name: message.heloName,
      secure: false,
      opportunisticTLS: true,
      // MX delivery encrypts when it can but cannot check names: most MX certificates do not match.
      tls: { rejectUnauthorized: false, servername: target.exchange },
      connectionTimeout: timeouts.connectMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      logger: false,
    });
    const finish = (attempt: Omit<SmtpAttempt, keyof typeof base | "tls">) => {
      if (settled) return;
      settled = true;
      const tls = connection.secure;
      if (attempt.outcome === "accepted") connection.quit();
      else connection.close();
      resolve({ ...base, ...attempt, tls });
    };
    connection.on("error", (error: SmtpError) => finish(describeFailure(error, target, timeouts)));
    connection.on("end", () => finish({ outcome: "connection_failed", reply: null, code: null, command: null, error: `${target.exchange} (${target.address}) closed the connection.` }));
    connection.connect((connectError) => {
      if (connectError) return finish(describeFailure(connectError, target, timeouts));
      connection.send({ from: message.envelopeFrom, to: [message.recipient] }, message.raw, (error, info) => {
        if (error) return finish(describeFailure(error, target, timeouts));
        const reply = replyText(info.response);
        finish({ outcome: "accepted", reply, code: Number(/^\d{3}/.exec(reply ?? "")?.[0] ?? 250), command: "DATA", error: null });
      });
    });
  });
}

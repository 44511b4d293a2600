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

/** `answered`: the server had sent anything at all (a greeting) before the failure. */
function describeFailure(error: SmtpError, target: SmtpTarget, timeouts: SmtpTimeouts, answered: boolean): Pick<SmtpAttempt, "outcome" | "reply" | "code" | "command" | "error"> {
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
    // nodemailer's greeting and idle timers both fire when a server accepts and stays silent.
    const what = /connection timeout/i.test(message)
      ? `Connecting to ${where} timed out after ${timeouts.connectMs / 1000} s.`
      : !answered
        ? `${where} accepted the connection but sent no greeting within ${Math.min(timeouts.greetingMs, timeouts.socketMs) / 1000} s.`
        : `${where} stopped answering for ${timeouts.socketMs / 1000} s.`;
    return { outcome: "timed_out", reply, code, command, error: what };
  }
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return { outcome: "connection_failed", reply: null, code: null, command: null, error: `${where} cannot be reached from our network.` };
  if (/ECONNRESET|closed unexpectedly/i.test(message)) {
    return { outcome: "connection_failed", reply, code, command, error: `${where} closed the connection${command ? ` after ${command}` : ""}.` };
  }
  return { outcome: "connection_failed", reply, code, command, error: `Delivery to ${where} failed: ${message.slice(0, 300)}` };
}

export function deliverOnce(target: SmtpTarget, message: SmtpMessage, timeouts: SmtpTimeouts): Promise<SmtpAttempt> {
  const base = { exchange: target.exchange, address: target.address, port: target.port };
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
    const finish = (attempt: Omit<SmtpAttempt, keyof typeof base | "tls" | "at">) => {
      if (settled) return;
      settled = true;
      // The stage's time is when the server answered (or the attempt ended), not when it began.
      const at = new Date().toISOString();
      const tls = connection.secure;
      if (attempt.outcome === "accepted") connection.quit();
      else connection.close();
      resolve({ ...base, ...attempt, at, tls });
    };
    connection.on("error", (error: SmtpError) => finish(describeFailure(error, target, timeouts, Boolean(connection.lastServerResponse))));
    connection.on("end", () => finish({ outcome: "connection_failed", reply: null, code: null, command: null, error: `${target.exchange} (${target.address}) closed the connection.` }));
    connection.connect((connectError) => {
      if (connectError) return finish(describeFailure(connectError, target, timeouts, Boolean(connection.lastServerResponse)));
      connection.send({ from: message.envelopeFrom, to: [message.recipient] }, message.raw, (error, info) => {
        if (error) return finish(describeFailure(error, target, timeouts, Boolean(connection.lastServerResponse)));
        const reply = replyText(info.response);
        finish({ outcome: "accepted", reply, code: Number(/^\d{3}/.exec(reply ?? "")?.[0] ?? 250), command: "DATA", error: null });
      });
    });
  });
}

/**
 * Traced test messages: the shapes stored with a test message (what the console saw while sending)
 * and the trace pages read. Pure types and constants: safe to import anywhere, browser included.
 */

import type { Scenario } from "@/lib/domains/types";
import type { Hop } from "@/lib/mail/types";

export type TestMessageStatus = "queued" | "sending" | "sent" | "failed";


/** Why sending stopped, stored in `test_messages.failure`. */
export type SendFailure =
  | "invalid_target"
  | "no_mx"
  | "null_mx"
  | "dns_failed"
  | "mx_no_address"
  | "mx_address_refused"
  | "connection_refused"
  | "connection_timed_out"
  | "connection_failed"
  | "smtp_refused"
  | "smtp_deferred"
  | "internal";

/** One exchanger as the MX lookup found it, and what the address policy made of its addresses. */
export interface MxExchangerRecord {
  exchange: string;
  preference: number;
  addresses: string[];
  /** Addresses not contacted, each with the policy's reason ("127.0.0.1 is a loopback address"). */
  refused: { address: string; reason: string }[];
  error: string | null;
  /** One of our own inbound hosts (INBOUND_MX_HOSTS). */
  ours: boolean;
}

/** `test_messages.mx`. */
export interface MxRecord {
  domain: string;
  at: string;
  outcome: "exchangers" | "null_mx" | "no_mx" | "error";
  answeredBy: string | null;
  message: string | null;
  exchangers: MxExchangerRecord[];
}

export interface SmtpAttempt {
  exchange: string;
  address: string;
  port: number;
  /** When the server's last reply came (or the attempt ended without one). */
  at: string;
  outcome: "accepted" | "refused" | "deferred" | "connection_refused" | "timed_out" | "connection_failed";
  /** The server's reply line(s) as sent, when it answered. */
  reply: string | null;
  code: number | null;
  /** The SMTP command the reply answered (RCPT TO, DATA…). */
  command: string | null;
  /** What went wrong without a reply (connection refused…). */
  error: string | null;
  tls: boolean;
}

/** `test_messages.smtp`. */
export interface SmtpRecord {
  attempts: SmtpAttempt[];
}

// ---------------------------------------------------------------------------------------------
// The trace, as pages show it.

export type TraceState = "in_progress" | "delivered" | "failed" | "timed_out";

export type StageKey = "mx" | "smtp" | "hops" | "arrival" | "route" | "queue";
export type StageStatus = "waiting" | "running" | "done" | "warning" | "failed" | "skipped";

export interface TraceStage {
  key: StageKey;
  label: string;
  status: StageStatus;
  /** ISO time the stage ended (or its evidence is dated), null while waiting. */
  at: string | null;
  summary: string;
  details: string[];
}

/** A `Received:` hop as the trace shows it (the gateway's parsed header, without its raw text and id). */
export type TraceHop = Pick<Hop, "from" | "by" | "with" | "for" | "ip" | "at" | "delaySeconds">;

export type DiagnosisCode =
  | SendFailure
  | "not_sent"
  | "redirect_missing"
  | "not_arrived"
  | "refused_no_route"
  | "refused_not_verified"
  | "refused_other"
  | "delivered"
  | "delivered_spam";

export interface TraceDiagnosis {
  code: DiagnosisCode;
  title: string;
  message: string;
  /** For a redirect that never arrived: the rule the admin's mail server needs. */
  redirectRule: { from: string; to: string } | null;
}

/** Where a test message went and which route it was meant for. */
export interface TestMessageTarget {
  id: string;
  targetAddress: string;
  routeAddress: string;
  viaRedirect: boolean;
  scenario: Scenario;
  domainId: string | null;
}

export interface TestMessageTrace extends TestMessageTarget {
  createdAt: string;
  createdBy: string;
  status: TestMessageStatus;
  state: TraceState;
  /** When the trace gives up waiting for the message at our gateway. */
  deadline: string;
  stages: TraceStage[];
  /** The Messages log page of what our gateway stored or refused for this message, once it did. */
  logPath: string | null;
  hops: TraceHop[];
  diagnosis: TraceDiagnosis | null;
}

/** A line of the "recent test messages" list. */
export interface TestMessageSummary {
  id: string;
  targetAddress: string;
  createdAt: string;
  createdBy: string;
  state: TraceState;
}

/** An address a test message may be sent to, as the picker lists it. */
export interface TestTarget {
  address: string;
  /** The registered address it reaches at our gateway (the same address when sent directly). */
  routeAddress: string;
  viaRedirect: boolean;
  scenario: Scenario;
  queueName: string;
}

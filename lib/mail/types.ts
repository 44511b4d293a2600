/**
 * The shapes the inbound SMTP gateway stores (prisma/schema.prisma: InboundMessage,
 * InboundDelivery, InboundRefusal) and that the Messages log, the traced test message and the
 * message page read back. Pure types and constants: safe to import anywhere, browser included.
 */

/** The header the console's traced test message carries; its value lands in `trace_token`. */
export const TRACE_HEADER = "X-Email-Routing-Trace";

/** One header field as received, unfolded (continuation lines joined), value undecoded. */
export interface StoredHeader {
  name: string;
  value: string;
}

/** One parsed `Received:` header. The chain is stored oldest hop first. */
export interface Hop {
  /** The `from` clause: the name the sending host gave, and what the receiver saw (rDNS, [IP]). */
  from: string | null;
  by: string | null;
  with: string | null;
  id: string | null;
  for: string | null;
  /** The sending host's IP address, when the receiver wrote one in brackets. */
  ip: string | null;
  /** ISO 8601 time stamp after the `;`, null when missing or unparsable. */
  at: string | null;
  /** Seconds since the previous (older) hop, when both have a time. Negative = clocks disagree. */
  delaySeconds: number | null;
  /** The header value as received (unfolded). */
  raw: string;
}

/** Verdicts as mailauth reports them (RFC 8601 result names). */
export type AuthVerdict = "pass" | "fail" | "softfail" | "neutral" | "none" | "temperror" | "permerror" | "policy";

export interface AuthDetails {
  spf: { domain: string | null; verdict: AuthVerdict; explanation: string | null; lookups: number | null };
  dkim: { domain: string | null; selector: string | null; verdict: AuthVerdict; aligned: boolean; explanation: string | null }[];
  dmarc: { domain: string | null; verdict: AuthVerdict; policy: string | null; spfAligned: string | null; dkimAligned: string | null };
  arc: { verdict: AuthVerdict; instances: number };
  /** The Authentication-Results header we added to the stored message. */
  authenticationResults: string;
  /** Set when verification stopped at INBOUND_AUTH_DEADLINE (verdicts then say temperror). */
  timedOut: boolean;
}

/** A message's authentication verdicts, as the gateway stored them. */
export interface AuthVerdicts {
  spf: AuthVerdict;
  dkim: AuthVerdict;
  dmarc: AuthVerdict;
  arc: AuthVerdict;
  /** The policy the From domain's DMARC record applies to this message (p=, or sp= for a subdomain). */
  dmarcPolicy: string | null;
  details: AuthDetails;
}

export type DeliveryStatus = "queued" | "spam" | "flagged";
export type RefusalStage = "connect" | "mail" | "rcpt" | "data";

/**
 * Why a command was refused: a stable code stored in `inbound_refusals.reason`. docs/inbound.md
 * lists the reply for each.
 */
export type RefusalReason =
  | "no_route"
  | "domain_not_verified"
  | "relay_denied"
  | "invalid_address"
  | "too_many_recipients"
  | "too_many_refused_recipients"
  | "message_too_large"
  | "header_too_large"
  | "mail_loop"
  | "connection_rate_limited"
  | "message_rate_limited"
  | "temporary_failure";

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KB`;
  return `${bytes} bytes`;
}

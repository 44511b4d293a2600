/**
 * What the Messages log pages read (lib/messages/queries.ts builds them). Types and constants only:
 * safe for client components. Every shape is already scoped to one organisation: a message that
 * also went to another organisation carries only this organisation's recipients.
 */
import type { AuthVerdict, DeliveryStatus, RefusalStage, StoredHeader } from "@/lib/mail/types";

export type { AuthVerdict, DeliveryStatus, RefusalStage, StoredHeader };

/** A line of the log is a recipient the gateway accepted (queued, spam, flagged) or a refused attempt. */
export const MESSAGE_STATUS_LABELS = { queued: "Queued", spam: "Spam queue", flagged: "Flagged", refused: "Refused" } as const;
export type MessageStatus = keyof typeof MESSAGE_STATUS_LABELS;
export const MESSAGE_STATUSES = Object.keys(MESSAGE_STATUS_LABELS) as [MessageStatus, ...MessageStatus[]];

export const MESSAGE_STATUS_DESCRIPTIONS: Record<MessageStatus, string> = {
  queued: "Delivered into the route's queue.",
  spam: "The sender's DMARC check failed under a quarantine or reject policy: delivered into the route's spam queue.",
  flagged: "The sender's DMARC check failed under a quarantine or reject policy, and the route has no spam queue: delivered into its queue, flagged.",
  refused: "The gateway refused it; nothing was stored but this record.",
};

export interface AuthSummary {
  spf: AuthVerdict;
  dkim: AuthVerdict;
  dmarc: AuthVerdict;
}

/** One accepted recipient in the list. */
export interface DeliveryListRow {
  kind: "delivery";
  /** The delivery's id (a message to several of the organisation's addresses has one per address). */
  id: string;
  messageId: string;
  at: string;
  status: DeliveryStatus;
  envelopeFrom: string;
  headerFrom: string | null;
  recipient: string;
  originalRecipient: string | null;
  subject: string | null;
  size: number;
  /** Null when the route was deleted since (the address it had is kept). */
  routeId: string | null;
  routeAddress: string;
  queueId: string | null;
  queueName: string;
  auth: AuthSummary;
}

/** One refused attempt in the list. */
export interface RefusalListRow {
  kind: "refusal";
  id: string;
  at: string;
  status: "refused";
  envelopeFrom: string | null;
  recipient: string | null;
  subject: string | null;
  size: number | null;
  code: number;
  enhancedStatus: string;
  reason: string;
  explanation: string;
  /** More refusals from the same client in the same minute, counted but not stored. */
  suppressed: number;
}

export type MessageListRow = DeliveryListRow | RefusalListRow;

export interface MessageListPage {
  rows: MessageListRow[];
  /** Opaque cursors for the next pages in each direction; null at either end. */
  newer: string | null;
  older: string | null;
  pageSize: number;
}

/** Names for the filters that arrive as ids (from links), so the page can say what it shows. */
export interface MessageFilterLabels {
  route: string | null;
  queue: string | null;
  domain: string | null;
}

export interface AuthCheckView {
  check: "SPF" | "DKIM" | "DMARC" | "ARC";
  verdict: AuthVerdict;
  /** One sentence an administrator can act on. */
  summary: string;
  /** The evidence behind it (domain, selector, alignment, the verifier's comment). */
  details: string[];
}

export interface HopView {
  /** Who handed the message on, as the receiving server recorded it. */
  from: string | null;
  by: string | null;
  with: string | null;
  ip: string | null;
  at: string | null;
  /** Seconds since the step before (the Date header for the first hop); negative when clocks disagree. */
  delaySeconds: number | null;
  /** True for the last step: our gateway receiving it. */
  ours: boolean;
  raw: string | null;
}

export interface MessageDeliveryView {
  id: string;
  recipient: string;
  originalRecipient: string | null;
  status: DeliveryStatus;
  /** Null when the route was deleted since. */
  routeId: string | null;
  routeAddress: string;
  /** Null when the queue was deleted since. */
  queueId: string | null;
  queueName: string;
  priority: number;
  skills: string[];
  languageName: string | null;
}

export interface MessageDetail {
  id: string;
  receivedAt: string;
  sentAt: string | null;
  envelopeFrom: string;
  headerFrom: string | null;
  subject: string | null;
  messageIdHeader: string | null;
  size: number;
  clientAddress: string;
  helo: string;
  tlsProtocol: string | null;
  gateway: string;
  /** This organisation's recipients only. */
  deliveries: MessageDeliveryView[];
  auth: AuthCheckView[];
  dmarcPolicy: string | null;
  authenticationResults: string;
  authTimedOut: boolean;
  headers: StoredHeader[];
  /** Oldest first, ending with our gateway. */
  hops: HopView[];
  rawSha256: string;
}

export interface ClosestRouteView {
  address: string;
}

export interface RefusalDetail {
  id: string;
  at: string;
  stage: RefusalStage;
  clientAddress: string;
  helo: string | null;
  envelopeFrom: string | null;
  recipient: string | null;
  subject: string | null;
  messageIdHeader: string | null;
  size: number | null;
  code: number;
  enhancedStatus: string;
  reply: string;
  reason: string;
  reasonLabel: string;
  explanation: string;
  closestRoutes: ClosestRouteView[];
  suppressed: number;
  domain: { id: string; name: string } | null;
}

/** Plain names for the gateway's refusal codes (docs/inbound.md lists each reply). */
export const REFUSAL_REASON_LABELS: Record<string, string> = {
  no_route: "No route for this address",
  domain_not_verified: "Domain not verified yet",
  relay_denied: "Not a domain of ours",
  invalid_address: "Invalid address",
  too_many_recipients: "Too many recipients",
  too_many_refused_recipients: "Too many unknown recipients",
  message_too_large: "Message too large",
  header_too_large: "Header section too large",
  mail_loop: "Mail loop",
  connection_rate_limited: "Too many connections",
  message_rate_limited: "Too many messages",
  temporary_failure: "Temporary failure",
};

export const REFUSAL_STAGE_LABELS: Record<RefusalStage, string> = {
  connect: "on connecting",
  mail: "at MAIL FROM",
  rcpt: "at RCPT TO",
  data: "after the message was sent (DATA)",
};

/** The Routes and Queues pages count each one's messages of the last days, up to a cap ("1,000+"). */
export const RECENT_MESSAGES_DAYS = 7;
export const RECENT_MESSAGES_CAP = 1_000;

export function recentMessagesLabel(count: number): string {
  const number = count >= RECENT_MESSAGES_CAP ? `${RECENT_MESSAGES_CAP.toLocaleString("en")}+` : count.toLocaleString("en");
  return `${number} ${count === 1 ? "message" : "messages"} in ${RECENT_MESSAGES_DAYS} days`;
}

/** "4 s", "2 min 5 s", "3 h 10 min", "2 d 4 h"; negative delays mean the two servers' clocks disagree. */
export function formatDelay(seconds: number): string {
  const sign = seconds < 0 ? "−" : "";
  let rest = Math.abs(Math.round(seconds));
  if (rest < 60) return `${sign}${rest} s`;
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  if (days > 0) return `${sign}${days} d${hours > 0 ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${sign}${hours} h${minutes > 0 ? ` ${minutes} min` : ""}`;
  return `${sign}${minutes} min${secs > 0 ? ` ${secs} s` : ""}`;
}

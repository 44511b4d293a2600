import type { RefusalReason } from "./types";

/**
 * Every refusal the gateway gives: the SMTP reply (code, RFC 3463 enhanced status, text) and the
 * explanation an administrator reads in the Messages log. Pure, so docs/inbound.md, the gateway
 * and the tests read the same table. Replies never reveal which organisation owns a domain.
 */
export interface Refusal {
  code: number;
  enhancedStatus: string;
  /** The text after the codes, as sent. */
  text: string;
  reason: RefusalReason;
  /** Plain words for the Messages log. */
  explanation: string;
  closestRoutes?: string[];
}

/** The full reply line as the client sees it. */
export function replyLine(refusal: Pick<Refusal, "code" | "enhancedStatus" | "text">): string {
  return `${refusal.code} ${refusal.enhancedStatus} ${refusal.text}`;
}

/** An Error smtp-server turns into this reply (it writes `responseCode` and the message). */
export class SmtpReplyError extends Error {
  readonly responseCode: number;
  constructor(readonly refusal: Pick<Refusal, "code" | "enhancedStatus" | "text">) {
    super(`${refusal.enhancedStatus} ${refusal.text}`);
    this.name = "SmtpReplyError";
    this.responseCode = refusal.code;
  }
}

function list(addresses: string[]): string {
  if (addresses.length <= 1) return addresses.join("");
  return `${addresses.slice(0, -1).join(", ")} and ${addresses[addresses.length - 1]}`;
}

export const refusals = {
  noRoute(address: string, domain: string, closest: string[]): Refusal {
    const near = closest.length > 0 ? `; the closest routes are ${list(closest)}` : `; ${domain} has no route like it`;
    return {
      code: 550,
      enhancedStatus: "5.1.1",
      text: `<${address}>: Recipient address rejected: no such address here`,
      reason: "no_route",
      explanation: `No route for ${address}${near}.`,
      closestRoutes: closest,
    };
  },
  /**
   * postmaster@ a domain that receives mail, without a route: refused like any address without a
   * route (docs/inbound.md, "postmaster@"), but the log says why it matters and how to receive it.
   */
  noPostmasterRoute(address: string, domain: string): Refusal {
    return {
      code: 550,
      enhancedStatus: "5.1.1",
      text: `<${address}>: Recipient address rejected: no such address here`,
      reason: "no_route",
      explanation:
        `No route for ${address}. Other mail servers' operators write to postmaster@ about delivery problems, and RFC 5321 expects it ` +
        `to reach someone on every domain that receives mail: add a route for postmaster@${domain} to receive it in a queue.`,
      closestRoutes: [],
    };
  },
  /** Any other address under a domain of ours (an unregistered platform label, an invalid local part). */
  unknownAddress(address: string, why: string): Refusal {
    return { code: 550, enhancedStatus: "5.1.1", text: `<${address}>: Recipient address rejected: no such address here`, reason: "no_route", explanation: why };
  },
  domainNotVerified(address: string, domain: string, status: "pending" | "failed"): Refusal {
    return {
      code: 450,
      enhancedStatus: "4.7.1",
      text: `<${address}>: Recipient address rejected: domain not ready to receive mail yet, try again later`,
      reason: "domain_not_verified",
      explanation:
        status === "pending"
          ? `${domain} is not verified yet, so the sender was asked to try again later (senders retry for several days).`
          : `Verification of ${domain} gave up, so the sender was asked to try again later; restart verification on the Domains page.`,
    };
  },
  relayDenied(address: string, domain: string): Refusal {
    return {
      code: 550,
      enhancedStatus: "5.7.1",
      text: `<${address}>: Relay access denied`,
      reason: "relay_denied",
      explanation: `${domain} is not a domain registered here; the gateway never relays mail for other domains.`,
    };
  },
  invalidAddress(address: string, why: string): Refusal {
    return { code: 501, enhancedStatus: "5.1.3", text: `<${address}>: Bad recipient address syntax`, reason: "invalid_address", explanation: why };
  },
  tooManyRecipients(limit: number): Refusal {
    return {
      code: 452,
      enhancedStatus: "4.5.3",
      text: "Too many recipients",
      reason: "too_many_recipients",
      explanation: `The message already had ${limit} recipients, the most one message may have (INBOUND_MAX_RECIPIENTS); the sender sends the rest in another message.`,
    };
  },
  messageTooLarge(size: number, limit: number): Refusal {
    return {
      code: 552,
      enhancedStatus: "5.3.4",
      text: `Message size exceeds fixed maximum message size (${limit} bytes)`,
      reason: "message_too_large",
      explanation: `The message was larger than ${formatBytes(limit)} (at least ${formatBytes(size)}), the most the gateway accepts (INBOUND_MAX_MESSAGE_SIZE).`,
    };
  },
  headerTooLarge(headerBytes: number, limit: number): Refusal {
    return {
      code: 552,
      enhancedStatus: "5.3.4",
      text: `Message header size exceeds limit (${limit} bytes)`,
      reason: "header_too_large",
      explanation: `The message's header section was ${formatBytes(headerBytes)}, more than the ${formatBytes(limit)} allowed (INBOUND_MAX_HEADER_SIZE).`,
    };
  },
  mailLoop(received: number, limit: number): Refusal {
    return {
      code: 554,
      enhancedStatus: "5.4.6",
      text: `Too many hops (${received} Received headers): mail loop`,
      reason: "mail_loop",
      explanation: `The message had passed through ${received} mail servers (more than ${limit}): it is going round in a loop, often between two redirect rules that point at each other.`,
    };
  },
  connectionRateLimited(limit: number): Refusal {
    return {
      code: 421,
      enhancedStatus: "4.7.0",
      text: "Too many connections from your address, try again later",
      reason: "connection_rate_limited",
      explanation: `The sending server opened more than ${limit} connections in a minute (INBOUND_RATE_CONNECTIONS_PER_MINUTE); it was asked to come back later.`,
    };
  },
  messageRateLimited(limit: number): Refusal {
    return {
      code: 450,
      enhancedStatus: "4.7.1",
      text: "Too much mail from your address, try again later",
      reason: "message_rate_limited",
      explanation: `The sending server sent more than ${limit} messages in a minute (INBOUND_RATE_MESSAGES_PER_MINUTE); it was asked to try again later.`,
    };
  },
  temporaryFailure(): Refusal {
    return {
      code: 451,
      enhancedStatus: "4.3.0",
      text: "Temporary failure, please try again later",
      reason: "temporary_failure",
      explanation: "The gateway could not reach its database, so nothing was stored and the sender was asked to try again later.",
    };
  },
} as const;

/** Not a refusal of mail (nothing is recorded): this instance is stopping. */
export const SHUTTING_DOWN = { code: 421, enhancedStatus: "4.3.2", text: "Service shutting down, try again later" } as const;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KB`;
  return `${bytes} bytes`;
}

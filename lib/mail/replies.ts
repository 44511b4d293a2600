import { formatBytes, type RefusalReason } from "./types";

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

/** One reply: the line the client reads (code, enhanced status, text) and the log's reason and explanation. */
function refusal(code: number, enhancedStatus: string, text: string, reason: RefusalReason, explanation: string): Refusal {
  return { code, enhancedStatus, text, reason, explanation };
}

const NO_SUCH_ADDRESS = (address: string) => `<${address}>: Recipient address rejected: no such address here`;

export const refusals = {
  noRoute(address: string, domain: string, closest: string[]): Refusal {
    const near =
      closest.length === 0 ? `; ${domain} has no route like it` : closest.length === 1 ? `; the closest route is ${closest[0]}` : `; the closest routes are ${list(closest)}`;
    return { ...refusal(550, "5.1.1", NO_SUCH_ADDRESS(address), "no_route", `No route for ${address}${near}.`), closestRoutes: closest };
  },
  /**
   * postmaster@ a domain that receives mail, without a route: refused like any address without a
   * route (docs/inbound.md, "postmaster@"), but the log says why it matters and how to receive it.
   */
  noPostmasterRoute(address: string, domain: string): Refusal {
    const why =
      `No route for ${address}. Other mail servers' operators write to postmaster@ about delivery problems, and RFC 5321 expects it ` +
      `to reach someone on every domain that receives mail: add a route for postmaster@${domain} to receive it in a queue.`;
    return { ...refusal(550, "5.1.1", NO_SUCH_ADDRESS(address), "no_route", why), closestRoutes: [] };
  },
  /** Any other address under a domain of ours (an unregistered platform label, an invalid local part). */
  unknownAddress(address: string, why: string): Refusal {
    return refusal(550, "5.1.1", NO_SUCH_ADDRESS(address), "no_route", why);
  },
  domainNotVerified(address: string, domain: string, status: "pending" | "failed"): Refusal {
    const why =
      status === "pending"
        ? `${domain} is not verified yet, so the sender was asked to try again later (senders retry for several days).`
        : `Verification of ${domain} gave up, so the sender was asked to try again later; restart verification on the Domains page.`;
    return refusal(450, "4.7.1", `<${address}>: Recipient address rejected: domain not ready to receive mail yet, try again later`, "domain_not_verified", why);
  },
  relayDenied(address: string, domain: string): Refusal {
    return refusal(550, "5.7.1", `<${address}>: Relaying denied`, "relay_denied", `${domain} is not a domain registered here; the gateway never relays mail for other domains.`);
  },
  invalidAddress(address: string, why: string): Refusal {
    return refusal(501, "5.1.3", `<${address}>: Bad recipient address syntax`, "invalid_address", why);
  },
  tooManyRecipients(limit: number): Refusal {
    const why = `The message already had ${limit} recipients, the most one message may have (INBOUND_MAX_RECIPIENTS); the sender sends the rest in another message.`;
    return refusal(452, "4.5.3", "Too many recipients", "too_many_recipients", why);
  },
  /** Sent instead of a lookup once a connection has had `limit` recipients refused: it is closed (421). */
  tooManyRefusedRecipients(limit: number): Refusal {
    const why =
      `The sending server had ${limit} recipients refused on one connection without a message accepted since (INBOUND_MAX_REFUSED_RECIPIENTS), ` +
      "as when addresses are guessed; the connection was closed and the sender may try again later.";
    return refusal(421, "4.7.0", "Too many refused recipients, closing connection", "too_many_refused_recipients", why);
  },
  messageTooLarge(size: number, limit: number): Refusal {
    const why = `The message was larger than ${formatBytes(limit)} (at least ${formatBytes(size)}), the most the gateway accepts (INBOUND_MAX_MESSAGE_SIZE).`;
    return refusal(552, "5.3.4", `Message size exceeds fixed maximum message size (${limit} bytes)`, "message_too_large", why);
  },
  headerTooLarge(headerBytes: number, limit: number): Refusal {
    const why = `The message's header section was ${formatBytes(headerBytes)}, more than the ${formatBytes(limit)} allowed (INBOUND_MAX_HEADER_SIZE).`;
    return refusal(552, "5.3.4", `Message header size exceeds limit (${limit} bytes)`, "header_too_large", why);
  },
  mailLoop(received: number, limit: number): Refusal {
    const why = `The message had passed through ${received} mail servers (more than ${limit}): it is going round in a loop, often between two redirect rules that point at each other.`;
    return refusal(554, "5.4.6", `Too many hops (${received} Received headers): mail loop`, "mail_loop", why);
  },
  connectionRateLimited(limit: number): Refusal {
    const why = `The sending server opened more than ${limit} connections in a minute (INBOUND_RATE_CONNECTIONS_PER_MINUTE); it was asked to come back later.`;
    return refusal(421, "4.7.0", "Too many connections from your address, try again later", "connection_rate_limited", why);
  },
  messageRateLimited(limit: number): Refusal {
    const why = `The sending server sent more than ${limit} messages in a minute (INBOUND_RATE_MESSAGES_PER_MINUTE); it was asked to try again later.`;
    return refusal(450, "4.7.1", "Too much mail from your address, try again later", "message_rate_limited", why);
  },
  temporaryFailure(): Refusal {
    const why = "The gateway could not reach its database, so nothing was stored and the sender was asked to try again later.";
    return refusal(451, "4.3.0", "Temporary failure, please try again later", "temporary_failure", why);
  },
} as const;

/** Not a refusal of mail (nothing is recorded): this instance is stopping. */
export const SHUTTING_DOWN = { code: 421, enhancedStatus: "4.3.2", text: "Service shutting down, try again later" } as const;


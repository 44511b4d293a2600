import "server-only";

import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";

import type { Database, Prisma } from "@/lib/db/client";
import type { ResolvedRoute } from "@/lib/routing/address-resolution";

import type { Authentication } from "./authenticate";
import { storableText } from "./headers";
import type { DeliveryStatus, Hop, StoredHeader } from "./types";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Stores an accepted message and one delivery per recipient in ONE transaction. The gateway answers
 * 250 only after this resolves, i.e. after COMMIT: a crash before that leaves nothing behind and the
 * sender, having seen no 250, sends again.
 */
export interface AcceptedRecipient {
  /** RCPT TO as given. */
  recipient: string;
  organizationId: string;
  domainId: string;
  route: ResolvedRoute;
  status: DeliveryStatus;
  originalRecipient: string | null;
}

export interface MessageToStore {
  id: string;
  receivedAt: Date;
  gateway: string;
  sessionId: string;
  clientAddress: string;
  clientHostname: string | null;
  helo: string;
  tlsProtocol: string | null;
  envelopeFrom: string;
  headerFrom: string | null;
  subject: string | null;
  messageIdHeader: string | null;
  sentAt: Date | null;
  size: number;
  traceToken: string | null;
  headers: StoredHeader[];
  hops: Hop[];
  auth: Authentication;
  /** The message as kept: our trace headers, then the message exactly as received. */
  stored: Buffer;
  recipients: AcceptedRecipient[];
}

/** Where a recipient's copy goes: the spam queue when there is one and the message is spam. */
export function queueFor(route: ResolvedRoute, status: DeliveryStatus): { id: string; name: string } {
  return status === "spam" && route.spamQueue ? route.spamQueue : route.queue;
}

export async function storeMessage(db: Database, message: MessageToStore): Promise<void> {
  const rawGzip = await gzipAsync(message.stored);
  const rawSha256 = createHash("sha256").update(message.stored).digest("hex");
  const text = (value: string | null, max: number) => (value === null ? null : storableText(value, max));
  const lower = (value: string | null) => (value ?? "").toLowerCase();
  await db.$transaction(
    async (tx) => {
      await tx.inboundMessage.create({
        data: {
          id: message.id,
          receivedAt: message.receivedAt,
          gateway: message.gateway,
          sessionId: message.sessionId,
          clientAddress: message.clientAddress,
          clientHostname: text(message.clientHostname, 255),
          helo: storableText(message.helo, 255),
          tlsProtocol: message.tlsProtocol,
          envelopeFrom: storableText(message.envelopeFrom, 320),
          headerFrom: text(message.headerFrom, 998),
          subject: text(message.subject, 998),
          messageIdHeader: text(message.messageIdHeader, 998),
          sentAt: message.sentAt,
          size: message.size,
          traceToken: text(message.traceToken, 128),
          headers: message.headers as unknown as Prisma.InputJsonValue,
          hops: message.hops as unknown as Prisma.InputJsonValue,
          spf: message.auth.spf,
          dkim: message.auth.dkim,
          dmarc: message.auth.dmarc,
          arc: message.auth.arc,
          dmarcPolicy: message.auth.dmarcPolicy,
          authDetails: message.auth.details as unknown as Prisma.InputJsonValue,
          rawGzip: new Uint8Array(rawGzip),
          rawSha256,
        },
        select: { id: true },
      });
      await tx.inboundDelivery.createMany({
        data: message.recipients.map((recipient) => {
          const queue = queueFor(recipient.route, recipient.status);
          const searchText = [recipient.recipient, recipient.originalRecipient, message.envelopeFrom, message.headerFrom, message.subject, message.messageIdHeader]
            .map(lower)
            .filter(Boolean)
            .join(" ");
          return {
            messageId: message.id,
            organizationId: recipient.organizationId,
            receivedAt: message.receivedAt,
            recipient: storableText(recipient.recipient, 320),
            recipientKey: storableText(recipient.recipient.toLowerCase(), 320),
            originalRecipient: text(recipient.originalRecipient, 320),
            domainId: recipient.domainId,
            routeId: recipient.route.id,
            routeAddress: recipient.route.address,
            status: recipient.status,
            queueId: queue.id,
            queueName: queue.name,
            priority: recipient.route.priority,
            skillIds: recipient.route.skills.map((link) => link.skill.id),
            skills: recipient.route.skills.map((link) => link.skill.name),
            languageId: recipient.route.language?.id ?? null,
            languageName: recipient.route.language?.name ?? null,
            searchText: storableText(searchText),
          };
        }),
      });
    },
    { maxWait: 5_000, timeout: 30_000 },
  );
}

/** The stored message as an .eml file's bytes. */
export async function readRawMessage(rawGzip: Uint8Array): Promise<Buffer> {
  return gunzipAsync(rawGzip);
}

import "server-only";

import type { DbClient } from "@/lib/db/client";

import { clientKey, countHit, windowStart } from "./counters";
import { storableText } from "./headers";
import { replyLine, type Refusal } from "./replies";
import type { RefusalStage } from "./types";

/**
 * Writes a refusal to the Messages log — capped, so a flood cannot fill the database: at most
 * `perMinute` rows per client address and recipient domain each minute, at most
 * `perClientPerMinute` per client (an IPv6 /64) whatever the domains, so cycling through made-up
 * domains does not get past the first cap, and at most `perOrganizationPerMinute` per organisation
 * whatever the clients (refusals that are no organisation's — relay attempts, unknown platform
 * labels — share one such cap), so a flood from many addresses is bounded too, and only the
 * organisation it targets loses log rows. Beyond any cap, the refusal is only counted, in
 * `suppressed` of the last row stored for that client (and domain) that minute. The counters live
 * in PostgreSQL, so the caps hold across gateway instances.
 */
export interface RefusalContext {
  gateway: string;
  sessionId: string;
  clientAddress: string;
  helo: string | null;
  stage: RefusalStage;
  envelopeFrom: string | null;
  recipient: string | null;
  /** Lower-case ASCII; empty when the refusal concerns no recipient. */
  recipientDomain: string;
  organizationId: string | null;
  domainId: string | null;
  subject?: string | null;
  messageIdHeader?: string | null;
  traceToken?: string | null;
  size?: number | null;
}

export type RecordOutcome = "stored" | "suppressed";

export interface RefusalCaps {
  perMinute: number;
  perClientPerMinute: number;
  perOrganizationPerMinute: number;
}

export async function recordRefusal(db: DbClient, refusal: Refusal, context: RefusalContext, caps: RefusalCaps, now = new Date()): Promise<RecordOutcome> {
  const { perMinute } = caps;
  const hits = await countHit(db, `refusals:${context.clientAddress}:${context.recipientDomain}`, now);
  if (hits > perMinute) {
    // The counter knows exactly how many were dropped this minute; setting (not adding) it keeps the
    // total right whichever of several concurrent writers lands last.
    await db.$executeRaw`
      UPDATE inbound_refusals SET suppressed = GREATEST(suppressed, ${hits - perMinute})
       WHERE id = (SELECT id FROM inbound_refusals
                    WHERE client_address = ${context.clientAddress} AND recipient_domain = ${context.recipientDomain}
                      AND created_at >= ${windowStart(now)}
                    ORDER BY created_at DESC LIMIT 1)`;
    return "suppressed";
  }
  const clientHits = await countHit(db, `refusals-client:${clientKey(context.clientAddress)}`, now);
  if (clientHits > caps.perClientPerMinute) {
    // Each dropped refusal adds one to the client's last stored row of the minute (whatever its domain).
    await db.$executeRaw`
      UPDATE inbound_refusals SET suppressed = suppressed + 1
       WHERE id = (SELECT id FROM inbound_refusals
                    WHERE client_address = ${context.clientAddress} AND created_at >= ${windowStart(now)}
                    ORDER BY created_at DESC LIMIT 1)`;
    return "suppressed";
  }
  const organizationHits = await countHit(db, `refusals-organization:${context.organizationId ?? "none"}`, now);
  if (organizationHits > caps.perOrganizationPerMinute) {
    // Many clients at once: each dropped refusal adds one to the organisation's last stored row of the minute.
    const organization = context.organizationId;
    await (organization === null
      ? db.$executeRaw`
          UPDATE inbound_refusals SET suppressed = suppressed + 1
           WHERE id = (SELECT id FROM inbound_refusals WHERE organization_id IS NULL AND created_at >= ${windowStart(now)} ORDER BY created_at DESC LIMIT 1)`
      : db.$executeRaw`
          UPDATE inbound_refusals SET suppressed = suppressed + 1
           WHERE id = (SELECT id FROM inbound_refusals WHERE organization_id = ${organization}::uuid AND created_at >= ${windowStart(now)} ORDER BY created_at DESC LIMIT 1)`);
    return "suppressed";
  }
  const text = (value: string | null | undefined, max: number) => (value ? storableText(value, max) : null);
  const searchText = [context.recipient, context.envelopeFrom, context.subject, context.messageIdHeader, context.clientAddress, refusal.reason]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  await db.inboundRefusal.create({
    data: {
      createdAt: now,
      organizationId: context.organizationId,
      domainId: context.domainId,
      gateway: context.gateway,
      sessionId: context.sessionId,
      clientAddress: context.clientAddress,
      helo: text(context.helo, 255),
      stage: context.stage,
      envelopeFrom: text(context.envelopeFrom, 320),
      recipient: text(context.recipient, 320),
      recipientDomain: storableText(context.recipientDomain, 253),
      subject: text(context.subject, 998),
      messageIdHeader: text(context.messageIdHeader, 998),
      traceToken: text(context.traceToken, 128),
      size: context.size ?? null,
      code: refusal.code,
      enhancedStatus: refusal.enhancedStatus,
      reply: storableText(replyLine(refusal), 1000),
      reason: refusal.reason,
      explanation: storableText(refusal.explanation),
      closestRoutes: refusal.closestRoutes ?? [],
      searchText: storableText(searchText),
    },
  });
  return "stored";
}

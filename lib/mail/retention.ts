import "server-only";

import type { AppConfig } from "@/lib/config/env";
import type { DbClient } from "@/lib/db/client";
import { deleteOlderInBatches } from "@/lib/db/delete-in-batches";

/**
 * Retention (MESSAGE_RETENTION_DAYS): accepted messages — the raw message with them — and refusals
 * older than the period are deleted, in batches (lib/db/delete-in-batches.ts). Rate counters are
 * only needed for their minute; gateway heartbeats of instances gone for a day are noise. Run by the
 * job worker's hourly retention job (QUEUES.mailRetention), at most once an hour across all workers.
 */
export interface RetentionResult {
  messages: number;
  refusals: number;
  counters: number;
}

export async function pruneInboundMail(db: DbClient, config: Pick<AppConfig, "MESSAGE_RETENTION_DAYS">, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - config.MESSAGE_RETENTION_DAYS * 86_400_000);
  // Deliveries go with their message (ON DELETE CASCADE).
  const messages = await deleteOlderInBatches(db, "inbound_messages", cutoff);
  const refusals = await deleteOlderInBatches(db, "inbound_refusals", cutoff);
  const counters = await db.$executeRaw`DELETE FROM inbound_rate_counters WHERE window_start < ${new Date(now.getTime() - 3_600_000)}`;
  await db.$executeRaw`DELETE FROM inbound_gateway_heartbeats WHERE seen_at < ${new Date(now.getTime() - 86_400_000)}`;
  return { messages, refusals, counters };
}

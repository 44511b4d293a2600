import "server-only";

import type { AppConfig } from "@/lib/config/env";
import type { DbClient } from "@/lib/db/client";

/**
 * Retention (MESSAGE_RETENTION_DAYS): accepted messages — the raw message with them — and refusals
 * older than the period are deleted, in batches so no statement holds locks for long while
 * gateways keep writing. Rate counters are only needed for their minute; gateway heartbeats of
 * instances gone for a day are noise. Run by the job worker (QUEUES.mailRetention), at most once an
 * hour across all workers.
 */
const BATCH = 2_000;
/** Batches per table per run; a backlog beyond that is finished by the next run. */
const MAX_BATCHES = 50;

export interface RetentionResult {
  messages: number;
  refusals: number;
  counters: number;
}

export async function pruneInboundMail(db: DbClient, config: Pick<AppConfig, "MESSAGE_RETENTION_DAYS">, now = new Date()): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - config.MESSAGE_RETENTION_DAYS * 86_400_000);
  // Deliveries go with their message (ON DELETE CASCADE).
  const messages = await deleteInBatches(db, "inbound_messages", "received_at", cutoff);
  const refusals = await deleteInBatches(db, "inbound_refusals", "created_at", cutoff);
  const counters = await db.$executeRaw`DELETE FROM inbound_rate_counters WHERE window_start < ${new Date(now.getTime() - 3_600_000)}`;
  await db.$executeRaw`DELETE FROM inbound_gateway_heartbeats WHERE seen_at < ${new Date(now.getTime() - 86_400_000)}`;
  return { messages, refusals, counters };
}

/** Rows of `table` older than `cutoff` by `column`, BATCH at a time (table and column are ours, never input). */
async function deleteInBatches(db: DbClient, table: "inbound_messages" | "inbound_refusals", column: "received_at" | "created_at", cutoff: Date): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const deleted = await db.$executeRawUnsafe(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${column} < $1 LIMIT ${BATCH})`, cutoff);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

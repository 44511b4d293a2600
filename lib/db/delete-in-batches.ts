import "server-only";

import type { DbClient } from "@/lib/db/client";

/**
 * Retention's deletes: rows older than a cutoff, a batch at a time, so that no statement holds its
 * locks for long while gateways and workers keep writing. Each table names the rows that may go
 * (a webhook delivery still being retried stays whatever its age). Table names and conditions are
 * ours, never input.
 */
const PRUNABLE = {
  inbound_messages: "received_at < $1",
  inbound_refusals: "created_at < $1",
  notifications: "created_at < $1",
  webhook_deliveries: "created_at < $1 AND status <> 'pending'",
} as const;

export type PrunableTable = keyof typeof PRUNABLE;

const BATCH = 2_000;
/** Batches per table per run; a backlog beyond that is finished by the next run. */
const MAX_BATCHES = 50;

export async function deleteOlderInBatches(db: DbClient, table: PrunableTable, cutoff: Date): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const deleted = await db.$executeRawUnsafe(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${PRUNABLE[table]} LIMIT ${BATCH})`, cutoff);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

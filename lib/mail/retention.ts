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
  let messages = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    // Deliveries go with their message (ON DELETE CASCADE).
    const deleted = await db.$executeRaw`
      DELETE FROM inbound_messages WHERE id IN (SELECT id FROM inbound_messages WHERE received_at < ${cutoff} LIMIT ${BATCH})`;
    messages += deleted;
    if (deleted < BATCH) break;
  }
  let refusals = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const deleted = await db.$executeRaw`
      DELETE FROM inbound_refusals WHERE id IN (SELECT id FROM inbound_refusals WHERE created_at < ${cutoff} LIMIT ${BATCH})`;
    refusals += deleted;
    if (deleted < BATCH) break;
  }
  const counters = await db.$executeRaw`DELETE FROM inbound_rate_counters WHERE window_start < ${new Date(now.getTime() - 3_600_000)}`;
  await db.$executeRaw`DELETE FROM inbound_gateway_heartbeats WHERE seen_at < ${new Date(now.getTime() - 86_400_000)}`;
  return { messages, refusals, counters };
}

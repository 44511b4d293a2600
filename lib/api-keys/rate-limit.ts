import "server-only";

import type { Database } from "@/lib/db/client";

/**
 * The per-key rate limit, counted in PostgreSQL so every instance of the console shares it: one
 * counter row per key and minute, incremented atomically by each request.
 */

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export async function hitApiRateLimit(db: Database, apiKeyId: string, limitPerMinute: number): Promise<RateDecision> {
  const [row] = await db.$queryRaw<{ hits: number; window_start: Date; now: Date }[]>`
    INSERT INTO api_rate_counters (api_key_id, window_start, hits)
    VALUES (${apiKeyId}::uuid, date_trunc('minute', now()), 1)
    ON CONFLICT (api_key_id, window_start) DO UPDATE SET hits = api_rate_counters.hits + 1
    RETURNING hits, window_start, now() AS now`;
  if (!row) return { allowed: true, remaining: limitPerMinute };
  if (row.hits === 1) {
    // A new minute: the key's older windows are of no more use.
    await db.$executeRaw`DELETE FROM api_rate_counters WHERE api_key_id = ${apiKeyId}::uuid AND window_start < ${row.window_start}`;
  }
  if (row.hits <= limitPerMinute) return { allowed: true, remaining: limitPerMinute - row.hits };
  const windowEnd = row.window_start.getTime() + 60_000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - row.now.getTime()) / 1000)) };
}

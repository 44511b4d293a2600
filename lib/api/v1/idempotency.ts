import "server-only";

import { createHash } from "node:crypto";

import type { Database, Prisma } from "@/lib/db/client";

/**
 * Idempotency-Key on POST: the first request with a key is answered as usual and its answer kept
 * for 24 hours; a retry with the same key (and the same request) gets that answer again instead of
 * a second create. The key is claimed by inserting its row before the work starts, so two retries
 * racing each other cannot both create: the second hears that the first is still in progress.
 */

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export interface StoredReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type IdempotencyClaim =
  | { kind: "claimed" }
  | { kind: "replay"; reply: StoredReply }
  | { kind: "in_progress" }
  | { kind: "mismatch" };

export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method}\n${path}\n${body}`, "utf8").digest("hex");
}

export async function claimIdempotencyKey(
  db: Database,
  scope: { apiKeyId: string; key: string; method: string; path: string; fingerprint: string },
  now = new Date(),
): Promise<IdempotencyClaim> {
  // Expired answers are forgotten (this key's among them): the key may be used again. The index on
  // expires_at keeps this to the few rows that expired since the last claim.
  await sweepIdempotencyKeys(db, now);
  const inserted = await db.$executeRaw`
    INSERT INTO api_idempotency_keys (api_key_id, key, method, path, request_hash, expires_at)
    VALUES (${scope.apiKeyId}::uuid, ${scope.key}, ${scope.method}, ${scope.path}, ${scope.fingerprint}, ${new Date(now.getTime() + IDEMPOTENCY_TTL_MS)})
    ON CONFLICT (api_key_id, key) DO NOTHING`;
  if (inserted === 1) return { kind: "claimed" };
  const row = await db.apiIdempotencyKey.findUnique({ where: { apiKeyId_key: { apiKeyId: scope.apiKeyId, key: scope.key } } });
  if (!row) return claimIdempotencyKey(db, scope, now); // released between our insert and read
  if (row.requestHash !== scope.fingerprint) return { kind: "mismatch" };
  if (row.status === null) return { kind: "in_progress" };
  return { kind: "replay", reply: { status: row.status, headers: (row.responseHeaders ?? {}) as Record<string, string>, body: row.responseBody } };
}

/** Keeps the answer for retries; answers that a retry might change (5xx, 429) release the key instead. */
export async function settleIdempotencyKey(db: Database, scope: { apiKeyId: string; key: string }, reply: StoredReply): Promise<void> {
  const where = { apiKeyId_key: { apiKeyId: scope.apiKeyId, key: scope.key } };
  if (reply.status >= 500 || reply.status === 429) {
    await db.apiIdempotencyKey.deleteMany({ where: { apiKeyId: scope.apiKeyId, key: scope.key } });
    return;
  }
  await db.apiIdempotencyKey.update({
    where,
    data: {
      status: reply.status,
      responseHeaders: reply.headers as Prisma.InputJsonValue,
      responseBody: (reply.body ?? null) === null ? undefined : (JSON.parse(JSON.stringify(reply.body)) as Prisma.InputJsonValue),
    },
  });
}

/** Drops answers older than 24 hours. */
export async function sweepIdempotencyKeys(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.apiIdempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}

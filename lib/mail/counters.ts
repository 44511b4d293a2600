import "server-only";

import { isIPv6 } from "node:net";

import type { DbClient, Queryable } from "@/lib/db/client";

/**
 * One-minute counters in PostgreSQL, shared by every gateway instance: a client that spreads its
 * connections over all our MX hosts is counted once. Each hit is one upsert that returns the new
 * count, so the check and the increment are atomic without locks held across commands. The table
 * is UNLOGGED (migration 20261130120000_inbound_hot_path): a hit commits without waiting for an
 * fsync, so hits from one client do not queue behind each other's disk flush.
 */
export const WINDOW_MS = 60_000;

export function windowStart(now: Date): Date {
  return new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS);
}

/**
 * Whom a limit counts: an IPv4 address, or an IPv6 address's /64 (one host usually holds a whole
 * /64, so counting single IPv6 addresses would let it rotate past any limit).
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

const COUNT_HIT = `
  INSERT INTO inbound_rate_counters (key, window_start, hits) VALUES ($1, $2, 1)
  ON CONFLICT (key, window_start) DO UPDATE SET hits = inbound_rate_counters.hits + 1
  RETURNING hits`;

/**
 * Adds one hit to `key` in the current minute and returns the minute's count so far. `db` is
 * Prisma (the refusal log, inside its own work) or the pg pool (the gateway's per-connection and
 * per-message hits, which skip Prisma's per-query overhead).
 */
export async function countHit(db: DbClient | Queryable, key: string, now = new Date()): Promise<number> {
  if ("$queryRawUnsafe" in db) {
    const rows = await db.$queryRawUnsafe<{ hits: number }[]>(COUNT_HIT, key, windowStart(now));
    return rows[0]?.hits ?? 1;
  }
  const result = await db.query<{ hits: number }>({ name: "inbound_count_hit", text: COUNT_HIT, values: [key, windowStart(now)] });
  return result.rows[0]?.hits ?? 1;
}

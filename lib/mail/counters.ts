import "server-only";

import { isIPv6 } from "node:net";

import type { DbClient, Queryable } from "@/lib/db/client";

/**
 * One-minute counters in PostgreSQL, shared by every gateway instance: a client that spreads its
 * connections over all our MX hosts is counted once. An upsert adds hits and returns the new
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
  INSERT INTO inbound_rate_counters (key, window_start, hits) VALUES ($1, $2, $3)
  ON CONFLICT (key, window_start) DO UPDATE SET hits = inbound_rate_counters.hits + EXCLUDED.hits
  RETURNING hits`;

/**
 * Adds `hits` (one by default) to `key` in the current minute and returns the minute's count so
 * far. `db` is Prisma (the refusal log, inside its own work) or the pg pool (the gateway's
 * per-client limits through RateCounters, which skip Prisma's per-query overhead).
 */
export async function countHit(db: DbClient | Queryable, key: string, now = new Date(), hits = 1): Promise<number> {
  if ("$queryRawUnsafe" in db) {
    const rows = await db.$queryRawUnsafe<{ hits: number }[]>(COUNT_HIT, key, windowStart(now), hits);
    return rows[0]?.hits ?? hits;
  }
  const result = await db.query<{ hits: number }>({ name: "inbound_count_hit", text: COUNT_HIT, values: [key, windowStart(now), hits] });
  return result.rows[0]?.hits ?? hits;
}

const COUNT_HITS = `
  INSERT INTO inbound_rate_counters (key, window_start, hits)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::integer[])
  ON CONFLICT (key, window_start) DO UPDATE SET hits = inbound_rate_counters.hits + EXCLUDED.hits
  RETURNING key, window_start, hits`;

/**
 * While a key's count (as last read from the database, plus this instance's hits not yet written)
 * is at most this share of its limit, a hit is answered at once and written with others a moment
 * later; past it, every hit is one upsert whose result decides, exactly as if nothing were batched.
 */
export const BATCHED_SHARE_OF_LIMIT = 0.25;
/** How long a batched hit waits before it is written (with every other one waiting). */
export const BATCH_DELAY_MS = 200;

interface KeyCount {
  /** Start of the minute counted (ms). */
  window: number;
  /** The minute's count across instances when this instance last wrote the key. */
  shared: number;
  /** This instance's hits not written yet. */
  pending: number;
  /** This instance's hits being written now: counted until the write's result says they are in `shared`. */
  writing: number;
}

/**
 * The gateway's per-client limits (connections and messages a minute), counted in PostgreSQL across
 * every instance. A client well below its limit — nearly every one — costs no statement of its
 * own: its hits are written in one statement for all keys every BATCH_DELAY_MS. Near the limit
 * (BATCHED_SHARE_OF_LIMIT), each hit is written at once and its result decides. With k instances,
 * a client can therefore pass a limit by at most (k − 1) × BATCHED_SHARE_OF_LIMIT × limit, and
 * only by hits within one batch delay of each other on different instances.
 */
export class RateCounters {
  private readonly counts = new Map<string, KeyCount>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    /** A batch could not be written (its hits are kept and written with the next one). */
    private readonly onBatchError: (error: unknown) => void = () => undefined,
  ) {}

  /** Counts one hit of `key` this minute: is the count still within `limit`? Throws when the database cannot be asked. */
  async hit(key: string, limit: number, now = new Date()): Promise<boolean> {
    const window = windowStart(now).getTime();
    let count = this.counts.get(key);
    if (!count || count.window !== window) {
      count = { window, shared: 0, pending: 0, writing: 0 };
      this.counts.set(key, count);
    }
    if (count.shared + count.writing + count.pending + 1 <= limit * BATCHED_SHARE_OF_LIMIT) {
      count.pending++;
      this.timer ??= setTimeout(() => void this.flush(), BATCH_DELAY_MS).unref();
      return true;
    }
    // This hit and the key's batched ones go in one upsert; its result is this hit's count.
    const hits = count.pending + 1;
    count.pending = 0;
    count.writing += hits;
    try {
      const total = await countHit(this.db, key, now, hits);
      count.shared = Math.max(count.shared, total);
      return total <= limit;
    } catch (error) {
      count.pending += hits - 1;
      throw error;
    } finally {
      count.writing -= hits;
    }
  }

  /** Writes every batched hit now (the gateway calls it when it stops). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing = this.writing.then(() => this.writeBatch());
    return this.writing;
  }

  private async writeBatch(): Promise<void> {
    const batch = [...this.counts].filter(([, count]) => count.pending > 0).map(([key, count]) => ({ key, count, hits: count.pending }));
    const current = windowStart(new Date()).getTime();
    // Minutes that have ended are no longer asked about, whatever their count.
    for (const [key, count] of this.counts) if (count.window < current && count.pending === 0 && count.writing === 0) this.counts.delete(key);
    if (batch.length === 0) return;
    for (const entry of batch) {
      entry.count.pending -= entry.hits;
      entry.count.writing += entry.hits;
    }
    try {
      const result = await this.db.query<{ key: string; window_start: Date; hits: number }>({
        name: "inbound_count_hits",
        text: COUNT_HITS,
        values: [batch.map(({ key }) => key), batch.map(({ count }) => new Date(count.window)), batch.map(({ hits }) => hits)],
      });
      const totals = new Map(result.rows.map((row) => [`${row.key} ${row.window_start.getTime()}`, row.hits]));
      for (const { key, count, hits } of batch) {
        count.writing -= hits;
        count.shared = Math.max(count.shared, totals.get(`${key} ${count.window}`) ?? 0);
      }
    } catch (error) {
      for (const entry of batch) {
        entry.count.writing -= entry.hits;
        entry.count.pending += entry.hits;
      }
      this.timer ??= setTimeout(() => void this.flush(), BATCH_DELAY_MS).unref();
      this.onBatchError(error);
    }
  }
}

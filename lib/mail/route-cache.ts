import "server-only";

import pg from "pg";

import type { Logger } from "@/lib/log";
import type { AddressResolution } from "@/lib/routes/address-resolution";

/**
 * The gateway's memory of recent routing decisions (RCPT TO → domain and route), kept right by
 * PostgreSQL: every statement that changes domains, routes, route skills, queues, languages or
 * skills notifies the channel `routing_changed` when it commits (migration
 * 20261130120100_routing_change_notifications), and on any notification the whole cache is
 * dropped. Instances still share nothing but the database.
 *
 * How stale can a decision be?
 * - While the LISTEN connection is up: until the change's notification arrives (it is sent at
 *   COMMIT; milliseconds on one network). A lookup that was under way when a notification came is
 *   not kept (its answer may predate the change).
 * - While it is down (database restarting, network trouble): not at all — the cache is emptied
 *   and bypassed until the connection is back and listening again, then starts empty.
 * - In every case no entry is used more than `maxAgeMs` (default 60 s) after it was read: the
 *   bound holds even if a notification were lost without the connection noticing.
 * Any failure of a hot-path statement also empties it (`invalidate`), so with the database gone
 * RCPT TO fails over to the database, as before, and answers 451.
 */
export const ROUTING_CHANGED_CHANNEL = "routing_changed";

export interface RouteCacheOptions {
  connectionString: string;
  log: Logger;
  maxEntries?: number;
  maxAgeMs?: number;
  /** Between reconnection attempts of the LISTEN connection (doubling up to 30 s). */
  retryMs?: number;
  /** A query on the LISTEN connection this often, so a connection lost silently is noticed. */
  probeMs?: number;
}

export interface RouteCacheStats {
  /** Listening, so entries are kept and used. */
  live: boolean;
  entries: number;
  hits: number;
  misses: number;
  /** Times the cache was emptied by a notification or a failure. */
  invalidations: number;
  /** Times the LISTEN connection was (re)established. */
  listens: number;
}

export class RouteCache {
  private readonly entries = new Map<string, { at: number; value: AddressResolution }>();
  private generation = 0;
  private live = false;
  private stopped = false;
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private retryMs: number;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;
  private listens = 0;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: RouteCacheOptions) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  /** Starts listening; resolves once listening or after the first failure (then it keeps retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  stats(): RouteCacheStats {
    return { live: this.live, entries: this.entries.size, hits: this.hits, misses: this.misses, invalidations: this.invalidations, listens: this.listens };
  }

  /** Empties the cache; lookups under way are not kept either. */
  invalidate(): void {
    this.generation++;
    this.invalidations++;
    this.entries.clear();
  }

  /** The cached resolution of `address`, or `load()`'s (kept when nothing changed meanwhile). */
  async resolve(address: string, load: () => Promise<AddressResolution>): Promise<AddressResolution> {
    if (!this.live) return load();
    const entry = this.entries.get(address);
    if (entry && performance.now() - entry.at < this.maxAgeMs) {
      this.hits++;
      // Most recently used last: eviction takes the oldest first.
      this.entries.delete(address);
      this.entries.set(address, entry);
      return entry.value;
    }
    this.misses++;
    const generation = this.generation;
    const at = performance.now();
    const value = await load();
    if (this.live && generation === this.generation) {
      this.entries.delete(address);
      while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(address, { at, value });
    }
    return value;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.lost();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: "email-routing-inbound-routes",
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    this.client = client;
    client.on("notification", () => this.invalidate());
    // Only this connection's own failures count: an old one's late events must not end its successor.
    const lostThis = () => {
      if (this.client === client) this.lost();
    };
    client.on("error", (error) => {
      this.options.log.debug({ err: error }, "routing change listener failed");
      lostThis();
    });
    client.on("end", lostThis);
    try {
      await client.connect();
      await client.query(`LISTEN ${ROUTING_CHANGED_CHANNEL}`);
      if (this.client !== client || this.stopped) return void client.end().catch(() => undefined);
      // Whatever changed while nobody listened is unknown: start empty.
      this.invalidate();
      this.live = true;
      this.listens++;
      this.retryMs = this.options.retryMs ?? 1_000;
      this.probeTimer = setInterval(() => {
        client.query("SELECT 1").catch(lostThis);
      }, this.options.probeMs ?? 10_000);
      this.probeTimer.unref();
      this.options.log.debug("listening for routing changes: routing decisions are cached");
    } catch (error) {
      this.options.log.debug({ err: error }, "routing change listener not connected: routing decisions are not cached");
      lostThis();
    }
  }

  /** The LISTEN connection is gone: forget everything, stop caching, and try again later. */
  private lost(): void {
    const client = this.client;
    if (!client) return;
    this.client = null;
    this.live = false;
    this.invalidate();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }
}

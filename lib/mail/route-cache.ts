import "server-only";

import pg from "pg";

import type { Logger } from "@/lib/log";
import { checkEmailAddress } from "@/lib/routes/address";
import { outcomeFor, type AddressResolution } from "@/lib/routes/address-resolution";

import type { DomainRoutes } from "./domain-routes";

/**
 * The gateway's memory of recent routing decisions (RCPT TO → domain and route, and a keep-copies
 * domain's original domain), kept right by PostgreSQL: every statement that changes domains,
 * routes, route skills, queues, languages, skills or wizard sessions notifies the channel
 * `routing_changed` when it commits (migrations 20261130120100_routing_change_notifications and
 * 20261130141000_original_domain_notifications), and on any notification the whole cache is
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
  /**
   * Reads all routes of a domain (lib/mail/domain-routes.ts), null when it has more than `limit`:
   * then the first address seen on a domain loads the whole domain in the background, and later
   * addresses on it are answered from that table without asking the database. Unset: addresses
   * are cached one by one only.
   */
  loadDomain?: (domainId: string, limit: number) => Promise<DomainRoutes | null>;
  /** Routes kept in domain tables, all domains together (default 200,000); a domain that does not fit is cached by address. */
  maxTableRoutes?: number;
}

/** A domain table is read again at this fraction of the age limit (45 s of 60), leaving the rest for the read. */
const REFRESH_AT = 0.75;

interface DomainTable extends DomainRoutes {
  at: number;
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
  /** Domains whose every route is in memory, and how many routes that is. */
  domains: number;
  domainRoutes: number;
}

export class RouteCache {
  private readonly entries = new Map<string, { at: number; value: unknown }>();
  /** By the domain's ASCII name. */
  private readonly tables = new Map<string, DomainTable>();
  private tableRoutes = 0;
  private readonly loadingTables = new Set<string>();
  /** Domains too large for the tables (until the next invalidation). */
  private readonly untabled = new Set<string>();
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
    return {
      live: this.live,
      entries: this.entries.size,
      hits: this.hits,
      misses: this.misses,
      invalidations: this.invalidations,
      listens: this.listens,
      domains: this.tables.size,
      domainRoutes: this.tableRoutes,
    };
  }

  /** Empties the cache; lookups under way are not kept either. */
  invalidate(): void {
    this.generation++;
    this.invalidations++;
    this.entries.clear();
    this.tables.clear();
    this.tableRoutes = 0;
    this.untabled.clear();
  }

  /** The cached resolution of `address`, or `load()`'s (kept when nothing changed meanwhile). */
  async resolve(address: string, load: () => Promise<AddressResolution>): Promise<AddressResolution> {
    const fromTable = this.live ? this.fromTable(address) : null;
    if (fromTable) {
      this.hits++;
      return fromTable;
    }
    const resolved = await this.remember(`address:${address}`, load);
    if (resolved.domain) this.loadTable(resolved.domain.id, resolved.domain.name);
    return resolved;
  }

  /** What resolveAddress would answer, from the domain's table; null when the domain has none (or one too old). */
  private fromTable(input: string): AddressResolution | null {
    if (this.tables.size === 0) return null;
    const table = this.tables.get(input.slice(input.lastIndexOf("@") + 1).toLowerCase());
    if (!table) return null;
    const age = performance.now() - table.at;
    if (age >= this.maxAgeMs) return null;
    const checked = checkEmailAddress(input);
    if (!checked.ok || checked.domain !== table.domain.name) return null;
    // Read again before the age limit, so a busy domain never falls back to the database.
    if (age >= this.maxAgeMs * REFRESH_AT) this.loadTable(table.domain.id, table.domain.name);
    const route = table.routes.get(checked.localPart.toLowerCase()) ?? null;
    return {
      input,
      outcome: outcomeFor(table.domain.status, route !== null),
      address: { localPart: checked.localPart, domain: checked.domain, unicodeDomain: checked.unicodeDomain },
      error: null,
      domain: table.domain,
      route,
    };
  }

  /** Reads the domain's table in the background, unless it is fresh, under way, or too large. */
  private loadTable(domainId: string, name: string): void {
    const load = this.options.loadDomain;
    if (!load || !this.live || this.loadingTables.has(name) || this.untabled.has(name)) return;
    const current = this.tables.get(name);
    if (current && performance.now() - current.at < this.maxAgeMs * REFRESH_AT) return;
    const limit = (this.options.maxTableRoutes ?? 200_000) - this.tableRoutes + (current?.routes.size ?? 0);
    if (limit <= 0) return;
    const generation = this.generation;
    const at = performance.now();
    this.loadingTables.add(name);
    load(domainId, limit)
      .then((table) => {
        if (!this.live || generation !== this.generation) return;
        const previous = this.tables.get(name);
        this.tableRoutes -= previous?.routes.size ?? 0;
        this.tables.delete(name);
        if (!table || table.domain.name !== name) return void this.untabled.add(name);
        this.tableRoutes += table.routes.size;
        this.tables.set(name, { ...table, at });
      })
      .catch((error: unknown) => this.options.log.debug({ err: error, domain: name }, "domain routes not loaded: addresses are cached one by one"))
      .finally(() => this.loadingTables.delete(name));
  }

  /**
   * The original domain of a keep-copies domain (lib/routing/original-domain.ts), or `load()`'s:
   * read from domains and setup_runs, which notify `routing_changed` too (migrations
   * 20261130141000_original_domain_notifications and 20261130171000_setup_runs), so it is dropped
   * with the routing decisions.
   */
  originalDomain(domain: string, load: () => Promise<string | null>): Promise<string | null> {
    return this.remember(`original:${domain}`, load);
  }

  private async remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.live) return load();
    const entry = this.entries.get(key);
    if (entry && performance.now() - entry.at < this.maxAgeMs) {
      this.hits++;
      // Most recently used last: eviction takes the oldest first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value as T;
    }
    this.misses++;
    const generation = this.generation;
    const at = performance.now();
    const value = await load();
    if (this.live && generation === this.generation) {
      this.entries.delete(key);
      while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { at, value });
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

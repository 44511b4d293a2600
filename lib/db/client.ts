import "server-only";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { ConfigError, loadConfig } from "@/lib/config/env";
import { log } from "@/lib/log";

import { PrismaClient } from "./generated/client";
import { preparedStatementName } from "./prepared";

export type Database = PrismaClient;
export type { Prisma } from "./generated/client";

interface Connection {
  url: string;
  /** Chosen with selectDatabase, or read from the configuration. */
  source: "chosen" | "configuration";
  client: PrismaClient;
  pool?: pg.Pool;
}

const globalForDb = globalThis as unknown as { erconsoleDb?: Connection; erconsoleDatabaseUrl?: string };

/**
 * Points this process at a database chosen at run time (the embedded server a script started, a
 * test's own database) instead of the configured DATABASE_URL. Returns the previous choice.
 */
export function selectDatabase(url: string | undefined): string | undefined {
  const previous = globalForDb.erconsoleDatabaseUrl;
  globalForDb.erconsoleDatabaseUrl = url;
  return previous;
}

/**
 * DATABASE_URL as the configuration validates it, read when a connection is made rather than
 * cached: whoever starts the process (a script, a test file) sets the environment before first use.
 */
function configurationDatabaseUrl(): string | undefined {
  const loaded = loadConfig();
  if (!loaded.ok) throw new ConfigError(loaded.problems);
  return loaded.config.DATABASE_URL;
}

/** The database this process uses: the one chosen with selectDatabase, else DATABASE_URL from the configuration. */
export function configuredDatabaseUrl(): string | undefined {
  const existing = globalForDb.erconsoleDb;
  return globalForDb.erconsoleDatabaseUrl ?? (existing?.source === "configuration" ? existing.url : configurationDatabaseUrl());
}

export function databaseUrl(): string {
  const url = configuredDatabaseUrl();
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the console with `npm start`, which provides it.");
  }
  return url;
}

function connection(): Connection {
  const existing = globalForDb.erconsoleDb;
  const chosen = globalForDb.erconsoleDatabaseUrl;
  if (existing && (chosen === undefined ? existing.source === "configuration" : existing.url === chosen)) return existing;
  const url = databaseUrl();
  // Prisma's adapter owns its pool: after $disconnect a client someone still holds connects again
  // on its next query (a pool handed in from outside could not be used once ended).
  // The generator's type asks for a name every time; the adapter passes it to pg as `name`, where
  // undefined means an unnamed statement, as for every statement not marked PREPARED.
  const statementNameGenerator = preparedStatementName as (query: { sql: string }) => string;
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, connectionTimeoutMillis: 5_000 }, { statementNameGenerator }) });
  globalForDb.erconsoleDb = { url, source: chosen === undefined ? "configuration" : "chosen", client };
  return globalForDb.erconsoleDb;
}

/**
 * The Prisma client, created on first use so that `next build` and modules that are only imported
 * never need a database. One client per process (kept on globalThis to survive dev reloads).
 */
export function getDb(): PrismaClient {
  return connection().client;
}

/**
 * A pg pool beside getDb()'s client, for the inbound gateway's few hot statements, which skip
 * Prisma (counters, route lookup, the store in lib/mail and lib/routes): a message costs one round trip, not Prisma's five.
 */
export function getPool(): pg.Pool {
  const current = connection();
  if (!current.pool) {
    current.pool = new pg.Pool({ connectionString: current.url, connectionTimeoutMillis: 5_000 });
    // An idle connection the server dropped (restart, database down) must not crash the process; the
    // next query reconnects or fails on its own.
    current.pool.on("error", (error) => log.debug({ err: error }, "idle database connection lost"));
  }
  return current.pool;
}

/** How long one statement of an inPoolTransaction may run, and how long it may sit idle between statements. */
export interface TransactionLimits {
  statementTimeoutMs: number;
  idleTimeoutMs: number;
}

/**
 * The limits Prisma's interactive transactions had (a 2-minute timeout): a transaction that holds
 * locks (an import locks its domains' routes) must not hold them for ever because a statement
 * hangs or the process stalls between statements.
 */
export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = { statementTimeoutMs: 120_000, idleTimeoutMs: 30_000 };

/**
 * Runs `work` in one transaction on a connection of getPool()'s pool, for bulk writes that skip
 * Prisma (a route import): Prisma's raw queries serialise every parameter to JSON and parse it back,
 * which for a 10,000-row file cost more CPU than the database spent on the insert. The limits hold
 * for this transaction only (SET LOCAL), sent with BEGIN in the same round trip.
 */
export async function inPoolTransaction<T>(
  work: (client: pg.PoolClient) => Promise<T>,
  pool: pg.Pool = getPool(),
  limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const statementMs = Math.max(1, Math.round(limits.statementTimeoutMs));
    const idleMs = Math.max(1, Math.round(limits.idleTimeoutMs));
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${statementMs}; SET LOCAL idle_in_transaction_session_timeout = ${idleMs}`);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function disconnectDb(): Promise<void> {
  const existing = globalForDb.erconsoleDb;
  globalForDb.erconsoleDb = undefined;
  await existing?.client.$disconnect();
  await existing?.pool?.end().catch(() => undefined);
}

/**
 * A raw statement written with Prisma.sql, run on the pg pool when `db` is this process's own
 * client (there is no transaction to join), else through `db` (a caller's transaction, or another
 * client). Prisma's raw path costs about three times the CPU of pg's for the same statement, which
 * shows on a server action's few statements (decision 027). Only for statements whose result
 * columns both decode alike: text, uuid, int4, boolean, timestamptz, json and text[] (pg leaves
 * bigint and numeric as strings, and arrays of enums unparsed). Failures carry PostgreSQL's SQLSTATE
 * either way, which lib/db/errors-prisma.ts recognises.
 */
export async function queryRaw<Row>(db: DbClient, statement: import("./generated/client").Prisma.Sql): Promise<Row[]> {
  if (db !== globalForDb.erconsoleDb?.client) return db.$queryRaw<Row[]>(statement);
  const result = await getPool().query({ name: preparedStatementName({ sql: statement.text }), text: statement.text, values: statement.values });
  return result.rows as Row[];
}

/** What the hot statements need of a pg pool or client. */
export type Queryable = Pick<pg.Pool, "query">;

/** A client or an open transaction: domain functions take either, so callers choose the boundary. */
export type DbClient = PrismaClient | import("./generated/client").Prisma.TransactionClient;

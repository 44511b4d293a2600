import "server-only";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { log } from "@/lib/log";

import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;
export type { Prisma } from "./generated/client";

const globalForDb = globalThis as unknown as { erconsoleDb?: { url: string; client: PrismaClient; pool?: pg.Pool } };

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the console with `npm start`, which provides it.");
  }
  return url;
}

function connection(): { url: string; client: PrismaClient; pool?: pg.Pool } {
  const url = databaseUrl();
  const existing = globalForDb.erconsoleDb;
  if (existing && existing.url === url) return existing;
  // Prisma's adapter owns its pool: after $disconnect a client someone still holds connects again
  // on its next query (a pool handed in from outside could not be used once ended).
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, connectionTimeoutMillis: 5_000 }) });
  globalForDb.erconsoleDb = { url, client };
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

export async function disconnectDb(): Promise<void> {
  const existing = globalForDb.erconsoleDb;
  globalForDb.erconsoleDb = undefined;
  await existing?.client.$disconnect();
  await existing?.pool?.end().catch(() => undefined);
}

/** What the hot statements need of a pg pool or client. */
export type Queryable = Pick<pg.Pool, "query">;

/** A client or an open transaction: domain functions take either, so callers choose the boundary. */
export type DbClient = PrismaClient | import("./generated/client").Prisma.TransactionClient;

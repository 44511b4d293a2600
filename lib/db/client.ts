import "server-only";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { log } from "@/lib/log";

import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;
export type { Prisma } from "./generated/client";

const globalForDb = globalThis as unknown as { erconsoleDb?: { url: string; client: PrismaClient; pool: pg.Pool } };

function connection(): { url: string; client: PrismaClient; pool: pg.Pool } {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the console with `npm start`, which provides it.");
  }
  const existing = globalForDb.erconsoleDb;
  if (existing && existing.url === url) return existing;
  // One pool per process, shared by Prisma and the inbound gateway's hot path (lib/mail/hot-path.ts),
  // which sends its few statements straight to pg: a message costs one round trip, not Prisma's five.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // An idle connection the server dropped (restart, database down) must not crash the process; the
  // next query reconnects or fails on its own.
  pool.on("error", (error) => log.debug({ err: error }, "idle database connection lost"));
  const client = new PrismaClient({ adapter: new PrismaPg(pool) });
  globalForDb.erconsoleDb = { url, client, pool };
  return globalForDb.erconsoleDb;
}

/**
 * The Prisma client, created on first use so that `next build` and modules that are only imported
 * never need a database. One client per process (kept on globalThis to survive dev reloads).
 */
export function getDb(): PrismaClient {
  return connection().client;
}

/** The pg pool under getDb()'s client, for the few hot statements that skip Prisma. */
export function getPool(): pg.Pool {
  return connection().pool;
}

export async function disconnectDb(): Promise<void> {
  const existing = globalForDb.erconsoleDb;
  globalForDb.erconsoleDb = undefined;
  await existing?.client.$disconnect();
  await existing?.pool.end().catch(() => undefined);
}

/** What the hot statements need of a pg pool or client. */
export type Queryable = Pick<pg.Pool, "query">;

/** A client or an open transaction: domain functions take either, so callers choose the boundary. */
export type DbClient = PrismaClient | import("./generated/client").Prisma.TransactionClient;

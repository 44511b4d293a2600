import "server-only";

import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;
export type { Prisma } from "./generated/client";

const globalForDb = globalThis as unknown as { erconsoleDb?: { url: string; client: PrismaClient } };

/**
 * The Prisma client, created on first use so that `next build` and modules that are only imported
 * never need a database. One client per process (kept on globalThis to survive dev reloads).
 */
export function getDb(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the console with `npm start`, which provides it.");
  }
  const existing = globalForDb.erconsoleDb;
  if (existing && existing.url === url) return existing.client;
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, connectionTimeoutMillis: 5_000 }),
  });
  globalForDb.erconsoleDb = { url, client };
  return client;
}

export async function disconnectDb(): Promise<void> {
  const existing = globalForDb.erconsoleDb;
  globalForDb.erconsoleDb = undefined;
  await existing?.client.$disconnect();
}

/** A client or an open transaction: domain functions take either, so callers choose the boundary. */
export type DbClient = PrismaClient | import("./generated/client").Prisma.TransactionClient;

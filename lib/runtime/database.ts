import "server-only";

import path from "node:path";

import pg from "pg";

import type { AppConfig } from "@/lib/config/env";
import { clusterDirectory, inspectRunningServer, startEmbeddedPostgres, type EmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { describeConnectionError } from "@/lib/db/errors";
import { migrate } from "@/lib/db/migrate";

import { readOrCreateSecret } from "./local-secrets";

export const EMBEDDED_DATABASE_NAME = "email_routing";

/** A failure at start-up that is explained in its message; printed without a stack trace. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

export interface PreparedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 8_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new StartupError(describeConnectionError(error, url) ?? `Cannot use the database: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The database the console will use: DATABASE_URL when set, otherwise an embedded PostgreSQL kept
 * under the data directory. Either way it is migrated before the console starts.
 */
export async function prepareDatabase(
  config: AppConfig,
  options: {
    root: string;
    log: (line: string) => void;
    /** As root: where the embedded server's binaries and cluster go when the postgres account cannot reach the project. */
    sharedDir?: string;
  },
): Promise<PreparedDatabase> {
  let url = config.DATABASE_URL;
  let server: EmbeddedPostgres | undefined;
  if (!url) {
    const dataDir = path.resolve(options.root, config.DATA_DIR);
    const password = await readOrCreateSecret(dataDir, "postgres-password", 24);
    try {
      server = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, "postgres"),
        port: config.EMBEDDED_DATABASE_PORT,
        password,
        projectRoot: options.root,
        sharedDir: options.sharedDir,
        onLog: (line) => {
          if (/FATAL|PANIC|ERROR/.test(line)) options.log(`[postgres] ${line}`);
        },
      });
    } catch (error) {
      throw new StartupError((error as Error).message);
    }
    await createDatabaseIfMissing(server.connectionString(), EMBEDDED_DATABASE_NAME);
    url = server.connectionString(EMBEDDED_DATABASE_NAME);
    if (server.note) options.log(server.note);
    options.log(`Embedded PostgreSQL is running on 127.0.0.1:${server.port} (data in ${server.dataDir}).`);
  } else {
    await assertReachable(url);
  }
  try {
    const applied = await migrate(url, { log: options.log });
    if (applied.length === 0) options.log("Database schema is up to date.");
  } catch (error) {
    await server?.stop();
    const friendly = describeConnectionError(error, url);
    throw new StartupError(friendly ?? (error as Error).message);
  }
  return { url, embedded: Boolean(server), stop: async () => server?.stop() };
}

/**
 * For operator commands (seed, user:create, dns:check…): DATABASE_URL when set; else the embedded
 * database — the running one if `npm start` is up, or started just for this command.
 */
export async function withCommandDatabase<T>(
  config: AppConfig,
  root: string,
  run: (url: string) => Promise<T>,
): Promise<T> {
  if (config.DATABASE_URL) {
    await assertReachable(config.DATABASE_URL);
    return run(config.DATABASE_URL);
  }
  const dataDir = path.resolve(root, config.DATA_DIR);
  const password = await readOrCreateSecret(dataDir, "postgres-password", 24);
  const running = await inspectRunningServer(await clusterDirectory({ dataDir: path.join(dataDir, "postgres"), projectRoot: root }));
  if (running && !running.orphaned) {
    return run(`postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${EMBEDDED_DATABASE_NAME}`);
  }
  const prepared = await prepareDatabase(config, { root, log: () => {} });
  try {
    return await run(prepared.url);
  } finally {
    await prepared.stop();
  }
}

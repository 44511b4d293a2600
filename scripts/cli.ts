import { readFileSync } from "node:fs";
import { parseArgs, parseEnv, type ParseArgsConfig } from "node:util";

import pg from "pg";

import { ConfigError, getConfig, type AppConfig } from "@/lib/config/env";
import { configuredDatabaseUrl, disconnectDb, getDb, selectDatabase, type Database } from "@/lib/db/client";
import { describeConnectionError } from "@/lib/db/errors";
import { getMigrationStatus, MigrationError } from "@/lib/db/migrate";
import { DomainError } from "@/lib/errors";
import { log } from "@/lib/log";
import { StartupError, withCommandDatabase } from "@/lib/runtime/database";

/**
 * Runs a command-line entry point: expected failures print one clear sentence (no stack trace) and
 * exit 1; anything else is a bug and prints in full.
 */
export function runCli(main: () => Promise<number | void>): void {
  loadDotEnv();
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      const friendly = explain(error);
      if (friendly) console.error(`Error: ${friendly}`);
      else console.error(error);
      process.exit(1);
    },
  );
}

/** The database a failure concerns, if one is known (the configuration itself may be what failed). */
function chosenDatabaseUrl(): string | undefined {
  try {
    return configuredDatabaseUrl();
  } catch {
    return undefined;
  }
}

function explain(error: unknown): string | null {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof MigrationError || error instanceof DomainError) {
    return error.message;
  }
  if (error instanceof UsageError) return `${error.message}\n\n${error.usage}`;
  return describeConnectionError(error, chosenDatabaseUrl());
}

export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** node:util parseArgs, with unknown or malformed flags reported as a usage error. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: string, allowPositionals = false, args?: string[]) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean" as const } }, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

/** Runs an operator command against the console's database (DATABASE_URL, or the embedded one). */
export async function withCommandDb<T>(run: (db: Database, url: string) => Promise<T>): Promise<T> {
  return withCommandDatabase(getConfig(), process.cwd(), async (url) => {
    selectDatabase(url);
    try {
      return await run(getDb(), url);
    } finally {
      await disconnectDb();
    }
  });
}

/** A `.env` file in the project folder supplies variables the environment does not already set. */
function loadDotEnv(): void {
  let text: string;
  try {
    text = readFileSync(".env", "utf8");
  } catch {
    return;
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}

/** Something a service command runs until a signal: the job worker, the inbound gateway. */
export interface Service {
  stop(timeoutMs: number): Promise<void>;
}

/**
 * Runs a long-lived service against the console's database (DATABASE_URL, or the embedded one),
 * refusing to start on an unmigrated database. On SIGTERM/SIGINT it stops the service (which gets
 * SHUTDOWN_TIMEOUT to finish what is under way) and exits; if that hangs, it exits anyway.
 */
export function runService(name: string, start: (config: AppConfig) => Promise<Service>): void {
  runCli(async () => {
    const config = getConfig();
    await withCommandDatabase(config, process.cwd(), async (url) => {
      selectDatabase(url);
      await assertMigrated(url);
      const service = await start(config);
      const signal = await untilSignal();
      log.info({ signal }, `stopping the ${name}`);
      const forced = setTimeout(() => {
        log.error(`the ${name} did not stop in time; exiting`);
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT + 5_000);
      forced.unref();
      await service.stop(config.SHUTDOWN_TIMEOUT);
      await disconnectDb();
    });
  });
}

async function assertMigrated(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 8_000 });
  await client.connect();
  try {
    const status = await getMigrationStatus(client);
    if (status.pending.length > 0 || status.failed.length > 0) {
      throw new StartupError(`The database is not migrated (${status.pending.length + status.failed.length} pending); run \`npm run db:migrate\` first.`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

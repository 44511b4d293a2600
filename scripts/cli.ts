import { readFileSync } from "node:fs";
import { parseArgs, parseEnv, type ParseArgsConfig } from "node:util";

import { ConfigError, getConfig } from "@/lib/config/env";
import { disconnectDb, getDb, type Database } from "@/lib/db/client";
import { describeConnectionError } from "@/lib/db/errors";
import { MigrationError } from "@/lib/db/migrate";
import { DomainError } from "@/lib/errors";
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

function explain(error: unknown): string | null {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof MigrationError || error instanceof DomainError) {
    return error.message;
  }
  if (error instanceof UsageError) return `${error.message}\n\n${error.usage}`;
  return describeConnectionError(error, process.env.DATABASE_URL);
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
    process.env.DATABASE_URL = url;
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

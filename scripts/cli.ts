import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";

import { ConfigError } from "@/lib/config/env";
import { describeConnectionError } from "@/lib/db/errors";
import { MigrationError } from "@/lib/db/migrate";
import { DomainError } from "@/lib/errors";
import { StartupError } from "@/lib/runtime/database";

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

export function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new StartupError(
      "DATABASE_URL is not set. Point it at the console's database (while `npm start` runs with the embedded database, " +
        "it prints the URL to use).",
    );
  }
  return url;
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

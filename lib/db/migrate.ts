import "server-only";

import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";

/**
 * Applies the SQL migrations under prisma/migrations the way `prisma migrate deploy` would, without
 * Prisma's native schema engine (which cannot be downloaded on every machine). History is kept in
 * `_prisma_migrations` with Prisma's columns and checksums, so either tool can take over.
 */

/** The advisory lock key `prisma migrate` itself takes, so this runner and Prisma exclude each other. */
const MIGRATION_LOCK_KEY = 72707369;

// The folder is read at run time from the install, not bundled (keeps Next from tracing the project).
export const DEFAULT_MIGRATIONS_DIR = path.join(/* turbopackIgnore: true */ process.cwd(), "prisma", "migrations");

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations whose file changed since. */
  changed: string[];
  /** Recorded as started but never finished (a migration that failed under Prisma). */
  failed: string[];
  /** Recorded in the database but absent here (the database is newer than this code). */
  unknown: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Prisma accepts a script whose line endings changed (a checkout on another OS); so do we. */
function matchesChecksum(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replace(/\r\n/g, "\n"), sql.replace(/(?<!\r)\n/g, "\r\n")];
  return variants.some((variant) => migrationChecksum(variant) === checksum);
}

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: migrationChecksum(sql) };
    }),
  );
}

const HISTORY_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function readHistory(client: pg.ClientBase): Promise<HistoryRow[]> {
  const exists = await client.query<{ exists: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
  );
  if (!exists.rows[0]?.exists) return [];
  const result = await client.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
  return result.rows;
}

function compare(files: MigrationFile[], history: HistoryRow[]): MigrationStatus {
  const live = history.filter((row) => row.rolled_back_at === null);
  const finished = new Map(live.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row]));
  const failed = live.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  const localNames = new Set(files.map((file) => file.name));
  return {
    applied: files.filter((file) => finished.has(file.name)).map((file) => file.name),
    pending: files.filter((file) => !finished.has(file.name) && !failed.includes(file.name)).map((file) => file.name),
    changed: files
      .filter((file) => {
        const row = finished.get(file.name);
        return row !== undefined && !matchesChecksum(file.sql, row.checksum);
      })
      .map((file) => file.name),
    failed,
    unknown: [...finished.keys()].filter((name) => !localNames.has(name)),
  };
}

export async function getMigrationStatus(
  client: pg.ClientBase,
  dir = DEFAULT_MIGRATIONS_DIR,
): Promise<MigrationStatus> {
  return compare(await readMigrations(dir), await readHistory(client));
}

export interface MigrateOptions {
  dir?: string;
  log?: (message: string) => void;
}

/**
 * Applies every pending migration in name order, each in its own transaction, while holding the
 * advisory lock: a second instance starting at the same moment waits, then finds nothing to do.
 */
export async function migrate(connectionString: string, options: MigrateOptions = {}): Promise<string[]> {
  const dir = options.dir ?? DEFAULT_MIGRATIONS_DIR;
  const log = options.log ?? (() => {});
  const files = await readMigrations(dir);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(HISTORY_TABLE_SQL);
      const status = compare(files, await readHistory(client));
      if (status.changed.length > 0) {
        throw new MigrationError(
          `Migration ${status.changed.join(", ")} was changed after it was applied to this database ` +
            `(its checksum no longer matches). Restore the file as it was and put the change in a new migration.`,
        );
      }
      if (status.failed.length > 0) {
        throw new MigrationError(
          `Migration ${status.failed.join(", ")} started earlier but never finished. Inspect the database, ` +
            `then mark it rolled back (prisma migrate resolve --rolled-back <name>) before migrating again.`,
        );
      }
      if (status.unknown.length > 0) {
        log(`Note: the database has migrations this version does not know: ${status.unknown.join(", ")}.`);
      }
      const applied: string[] = [];
      for (const file of files.filter((candidate) => status.pending.includes(candidate.name))) {
        await applyOne(client, file);
        log(`Applied migration ${file.name}`);
        applied.push(file.name);
      }
      return applied;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, file.checksum, file.name],
    );
    await client.query(file.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${describeSqlError(error)}`);
  }
}

/**
 * A migration that finds data it cannot convert stops with RAISE EXCEPTION: its message names the
 * rows and its HINT says what to do, so both are passed on as written (PostgreSQL's own `where`
 * context, which points into PL/pgSQL, is left out).
 */
function describeSqlError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { detail, hint } = error as { detail?: unknown; hint?: unknown };
  return [error.message, detail, hint].filter((part): part is string => typeof part === "string" && part !== "").join("\n");
}

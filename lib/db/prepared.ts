import { createHash } from "node:crypto";

/**
 * Named (prepared) statements for the statements a process runs thousands of times an hour: a
 * background re-check's read and store, and the job queue's own statements. Sent unnamed, each is
 * parsed and planned again every time; PostgreSQL spent about as long planning the re-check's
 * statements as executing them (pg_stat_statements with track_planning, bench/recheck.ts).
 * Named, each connection parses a statement once and, after a few runs, keeps its plan
 * (plan_cache_mode `auto`: a generic plan only when it is estimated no worse than the custom ones).
 *
 * Raw statements opt in by starting with PREPARED, whether they go through Prisma (the adapter's
 * statementNameGenerator names them) or through `queryRaw` (lib/db/client.ts): the re-check's read
 * and store, and a route create's reference check and write. pg-boss's statements with parameters
 * are named by namePgBossStatements. The inbound gateway's statements, which go straight to a pg
 * pool, carry their own names (lib/mail).
 */
export const PREPARED = "/* prepared */";

/** Named statements stay prepared on every connection until it closes: their number is bounded. */
const MAX_NAMED = 100;
/** Names by statement text: a statement run again is not hashed again. */
const named = new Map<string, string>();

/** A statement's name, the same in every process (derived from its text); undefined past the bound. */
export function statementName(text: string): string | undefined {
  const known = named.get(text);
  if (known !== undefined || named.size >= MAX_NAMED) return known;
  const name = `erc_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
  named.set(text, name);
  return name;
}

/** For Prisma's pg adapter: the raw statements that start with PREPARED. */
export function preparedStatementName(query: { sql: string }): string | undefined {
  return query.sql.startsWith(PREPARED) ? statementName(query.sql) : undefined;
}

interface PgBossDb {
  executeSql(text: string | { name: string; text: string; values?: unknown[] }, values?: unknown[]): Promise<unknown>;
}

/**
 * Sends a pg-boss instance's statements that have parameters as named statements: fetching,
 * completing and queueing jobs are a handful of fixed texts run for every job. Statements without
 * parameters (its migrations and maintenance, several commands in one text) stay unnamed.
 * pg-boss hands its pool `executeSql(text, values)`, which pg accepts as a query config too.
 */
export function namePgBossStatements(boss: { getDb(): unknown }): void {
  const db = boss.getDb() as PgBossDb;
  const execute = db.executeSql.bind(db);
  db.executeSql = (text, values) => {
    if (typeof text !== "string" || !values || values.length === 0 || text.includes(";")) return execute(text, values);
    const name = statementName(text);
    return name ? execute({ name, text, values }) : execute(text, values);
  };
}

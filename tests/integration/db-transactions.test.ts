import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { databaseUrl, getDb, inPoolTransaction } from "@/lib/db/client";
import { isStatementTimeout } from "@/lib/db/errors-prisma";

/**
 * inPoolTransaction (lib/db/client.ts) runs bulk writes on a pg connection outside Prisma. Like
 * Prisma's interactive transactions before it, it must not hold its locks for ever: a statement
 * that runs past the limit is cancelled, the transaction rolls back, and the pool stays usable.
 */

const db = getDb();
// One connection: what a transaction sets, the next user of the pool would see, unless it is LOCAL.
const pool = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
afterAll(() => pool.end());

async function queueNamed(name: string) {
  return pool.query<{ name: string }>("SELECT name FROM queues WHERE name = $1", [name]);
}

describe("inPoolTransaction", () => {
  it("commits what the work wrote", async () => {
    const org = await db.organization.create({ data: { name: "Tx Commit", slug: "tx-commit" } });
    await inPoolTransaction(async (tx) => {
      await tx.query("INSERT INTO queues (organization_id, name, name_key, updated_at) VALUES ($1, 'Committed', 'committed', now())", [org.id]);
    }, pool);
    expect((await queueNamed("Committed")).rowCount).toBe(1);
  });

  it("cancels a statement that runs past the limit, keeps nothing the transaction wrote, and the pool still works", async () => {
    const org = await db.organization.create({ data: { name: "Tx Timeout", slug: "tx-timeout" } });
    const failure = await inPoolTransaction(
      async (tx) => {
        await tx.query("INSERT INTO queues (organization_id, name, name_key, updated_at) VALUES ($1, 'Rolled back', 'rolled back', now())", [org.id]);
        await tx.query("SELECT pg_sleep(5)");
      },
      pool,
      { statementTimeoutMs: 200, idleTimeoutMs: 30_000 },
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isStatementTimeout(failure)).toBe(true);
    expect((await queueNamed("Rolled back")).rowCount).toBe(0);
    // The limit was the transaction's own: the next one on the same pool runs a longer statement.
    await inPoolTransaction(async (tx) => tx.query("SELECT pg_sleep(0.3)"), pool, { statementTimeoutMs: 5_000, idleTimeoutMs: 30_000 });
    const { rows } = await pool.query<{ statement_timeout: string }>("SHOW statement_timeout");
    expect(rows[0]?.statement_timeout).toBe("0");
  });
});

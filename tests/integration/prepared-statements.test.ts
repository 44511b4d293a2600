import PgBoss from "pg-boss";
import { afterAll, describe, expect, it } from "vitest";

import { databaseUrl, getDb, queryRaw } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { namePgBossStatements, statementName } from "@/lib/db/prepared";
import { getJobClient, pgBossOptions, stopJobClient } from "@/lib/jobs/client";

import { configWith } from "../support/jobs";

/**
 * The re-check's statements and the job queue's go to PostgreSQL as named statements
 * (lib/db/prepared.ts). pg_prepared_statements lists the statements prepared on the connection
 * that reads it, so a statement that reads it while named finds itself there.
 */
const db = getDb();

afterAll(async () => {
  await stopJobClient();
});

describe("prepared statements", () => {
  it("a Prisma raw statement marked PREPARED is prepared under its name; an unmarked one is not", async () => {
    const marked = await db.$queryRaw<{ name: string }[]>`/* prepared */
      SELECT name FROM pg_prepared_statements WHERE statement LIKE '%pg_prepared_statements WHERE statement LIKE%' AND ${1}::int = 1`;
    expect(marked.map((row) => row.name)).toContainEqual(expect.stringMatching(/^erc_[0-9a-f]{24}$/));

    const unmarked = await db.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement LIKE '%unmarked-probe%' AND ${1}::int = 1`;
    expect(unmarked[0]?.count).toBe(0);
  });

  it("queryRaw's marked statements, which skip Prisma, are prepared too", async () => {
    const rows = await queryRaw<{ name: string }>(
      db,
      Prisma.sql`/* prepared */ SELECT name FROM pg_prepared_statements WHERE statement LIKE '%queryRaw-probe%' AND ${1}::int = 1`,
    );
    expect(rows.map((row) => row.name)).toContainEqual(expect.stringMatching(/^erc_[0-9a-f]{24}$/));
  });

  it("the job queue's statements with parameters are prepared; those without stay unnamed", async () => {
    const boss = await getJobClient(configWith());
    const probe = `SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%job-queue-probe%' AND $1::int = 1`;
    const result = (await boss.getDb().executeSql(probe, [1])) as { rows: { name: string }[] };
    expect(result.rows.map((row) => row.name)).toEqual([statementName(probe)]);

    const plain = (await boss.getDb().executeSql(`SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement LIKE '%no-parameters-probe%'`, [])) as {
      rows: { count: number }[];
    };
    expect(plain.rows[0]?.count).toBe(0);
  });

  it("a pg-boss instance of its own can be given the same naming, and queues jobs through it", async () => {
    const boss = new PgBoss({ ...pgBossOptions(configWith(), databaseUrl(), "sender"), max: 1 });
    boss.on("error", () => undefined);
    namePgBossStatements(boss);
    await boss.start();
    try {
      await boss.createQueue("prepared-probe", { name: "prepared-probe" });
      for (let i = 0; i < 3; i += 1) await boss.send("prepared-probe", { i });
      const [job] = (await boss.fetch("prepared-probe", { batchSize: 5 })) ?? [];
      expect(job).toBeDefined();
      // One connection: the statements pg-boss ran with parameters are all prepared on it.
      const prepared = (await boss.getDb().executeSql(`SELECT statement FROM pg_prepared_statements WHERE $1::int = 1`, [1])) as { rows: { statement: string }[] };
      expect(prepared.rows.some((row) => row.statement.includes("INSERT INTO"))).toBe(true);
      expect(prepared.rows.some((row) => row.statement.includes("WITH next as"))).toBe(true);
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});

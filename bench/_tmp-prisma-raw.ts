import { fileURLToPath } from "node:url";
import { Cleanups, rerunUnderReactServer, runMeasured } from "./support/run";
const cleanups = new Cleanups();
async function main() {
  const { startTestCluster, createDatabaseFromTemplate, databaseUrl } = await import("../tests/support/postgres-cluster");
  const { getDb, getPool, selectDatabase, disconnectDb } = await import("../lib/db/client");
  const { Prisma } = await import("../lib/db/generated/client");
  const cluster = await startTestCluster();
  cleanups.push(() => cluster.stop());
  await createDatabaseFromTemplate(cluster.adminUrl, "erc_raw");
  selectDatabase(databaseUrl(cluster.adminUrl, "erc_raw"));
  const db = getDb(); const pool = getPool();
  const id = "00000000-0000-0000-0000-000000000000";
  const q = Prisma.sql`SELECT (SELECT json_agg(json_build_object('id', id, 'name', name)) FROM queues WHERE organization_id = ${id}::uuid AND id = ANY(${[id, id]}::uuid[])) AS queues, ${new Date()}::timestamptz AS t, ${["a","b"]}::text[] AS arr`;
  const N = 2000;
  for (const [label, run] of [["prisma $queryRaw", () => db.$queryRaw(q)], ["pg pool", () => pool.query(q.text, q.values)], ["prisma $queryRaw", () => db.$queryRaw(q)], ["pg pool", () => pool.query(q.text, q.values)]] as const) {
    for (let i = 0; i < 200; i++) await run();
    const c0 = process.cpuUsage(); const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, async () => { for (let i = 0; i < N / 10; i++) await run(); }));
    const c = process.cpuUsage(c0);
    console.log(label, ((c.user + c.system) / 1000 / N).toFixed(3), "ms CPU/query", ((performance.now() - t0) / N).toFixed(3), "ms wall/query");
  }
  console.log(JSON.stringify(await db.$queryRaw(q)), JSON.stringify((await pool.query(q.text, q.values)).rows));
  await disconnectDb();
}
if (process.env.ERC_BENCH_CHILD === "1") await runMeasured(main, cleanups, 5);
else rerunUnderReactServer(fileURLToPath(import.meta.url), { ERC_BENCH_CHILD: "1" }, process.argv.slice(2));

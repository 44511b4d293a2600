/**
 * Does the Messages log stay fast at 100,000+ deliveries? Starts its own embedded PostgreSQL, seeds
 * two organisations with MESSAGES deliveries each (spread over 30 days, most mail to one route, a
 * few to a rare one) and one with REFUSALS refusals, then times the log's page query for each kind
 * of view (first page, a deep page by cursor, each filter, a search) next to a baseline measured
 * in the same run: the bare index read of one page of the organisation's deliveries
 * (`… WHERE organization_id = $1 ORDER BY received_at DESC LIMIT 51`), as a ratio.
 *
 * Run: npx tsx bench/messages.ts [--explain]   Prints figures (and with --explain each query's plan,
 * EXPLAIN ANALYZE); asserts nothing. Loopback only; bounded loops. Modules that touch the database
 * are marked server-only, so the script re-runs itself under the react-server condition.
 */
import { fileURLToPath } from "node:url";

import { Cleanups, ms, rerunUnderReactServer, runMeasured, sample } from "./support/run";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const REFUSALS = Number(process.env.BENCH_REFUSALS ?? 20_000);
const RUNS = 30;
const EXPLAIN = process.argv.includes("--explain");

const cleanups = new Cleanups();

async function main(): Promise<void> {
  const pg = (await import("pg")).default;
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const { PrismaClient } = await import("../lib/db/generated/client");
  const { startTestCluster, createDatabaseFromTemplate, databaseUrl } = await import("../tests/support/postgres-cluster");
  const { seedInboundWorld } = await import("../tests/support/inbound");
  const { listMessages, countRecentMessages } = await import("../lib/messages/queries");
  const { messagesQuerySchema } = await import("../lib/messages/schemas");

  console.log(`Seeding ${MESSAGES.toLocaleString("en")} deliveries in each of two organisations and ${REFUSALS.toLocaleString("en")} refusals…`);
  const cluster = await startTestCluster();
  cleanups.push(() => cluster.stop());
  await createDatabaseFromTemplate(cluster.adminUrl, "bench_messages");
  const url = databaseUrl(cluster.adminUrl, "bench_messages");
  const captured: { query: string; params: string }[] = [];
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: "event", level: "query" }] });
  db.$on("query", (event) => captured.push({ query: event.query, params: event.params }));
  cleanups.push(() => db.$disconnect());
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  cleanups.push(() => sql.end());

  const world = await seedInboundWorld(db);
  const acme = world.acme.id;
  const initech = world.initech.id;
  const started = performance.now();
  // Messages: one every ~13 s over 30 days; ids derived from the number so deliveries can name them.
  await sql.query(
    `INSERT INTO inbound_messages (id, received_at, gateway, session_id, client_address, helo, envelope_from, header_from, subject,
                                   message_id_header, size, headers, hops, spf, dkim, dmarc, arc, auth_details, raw_gzip, raw_sha256)
     SELECT md5('m' || g)::uuid, now() - (g * interval '13 seconds'), 'bench', 's' || g, '192.0.2.' || (g % 250), 'mx.sender.test',
            'customer' || g || '@sender' || (g % 100) || '.test', NULL, 'Order ' || g || ' has not arrived', '<m' || g || '@sender.test>',
            2000 + g % 5000, '[]', '[]', 'pass', 'none', 'pass', 'none', '{}', '\\x00', 'x'
       FROM generate_series(1, $1::int) g`,
    [MESSAGES * 2],
  );
  // Deliveries: odd messages to Acme, even to Initech. Acme's mail: 60 % support, 39.9 % sales, 0.1 % copies.
  await sql.query(
    `INSERT INTO inbound_deliveries (message_id, organization_id, received_at, recipient, recipient_key, domain_id, route_id, route_address,
                                     status, queue_id, queue_name, priority, search_text)
     SELECT md5('m' || g)::uuid, $1::uuid, now() - (g * interval '13 seconds'), r.address, r.address, r.domain_id, r.id, r.address,
            (CASE WHEN g % 50 = 1 THEN 'spam' ELSE 'queued' END)::inbound_delivery_status, r.queue_id, 'Queue', 5,
            r.address || ' customer' || g || '@sender' || (g % 100) || '.test order ' || g || ' has not arrived <m' || g || '@sender.test>'
       FROM generate_series(1, $4::int * 2, 2) g
       JOIN routes r ON r.id = CASE WHEN g % 2000 = 1 THEN $3::uuid WHEN g % 1000 < 600 THEN $2::uuid ELSE $5::uuid END`,
    [acme, world.routes.support.id, world.routes.copies.id, MESSAGES, world.routes.sales.id],
  );
  await sql.query(
    `INSERT INTO inbound_deliveries (message_id, organization_id, received_at, recipient, recipient_key, domain_id, route_id, route_address,
                                     status, queue_id, queue_name, priority, search_text)
     SELECT md5('m' || g)::uuid, $1::uuid, now() - (g * interval '13 seconds'), r.address, r.address, r.domain_id, r.id, r.address,
            'queued', r.queue_id, 'Queue', 5, r.address || ' customer' || g || '@sender.test'
       FROM generate_series(2, $3::int * 2, 2) g JOIN routes r ON r.id = $2::uuid`,
    [initech, world.routes.initech.id, MESSAGES],
  );
  await sql.query(
    `INSERT INTO inbound_refusals (created_at, organization_id, domain_id, gateway, session_id, client_address, stage, envelope_from, recipient,
                                   recipient_domain, code, enhanced_status, reply, reason, explanation, search_text)
     SELECT now() - (g * interval '130 seconds'), $1::uuid, $2::uuid, 'bench', 'r' || g, '198.51.100.' || (g % 250), 'rcpt',
            'spammer' || g || '@junk.test', 'nobody' || (g % 500) || '@help.acme.test', 'help.acme.test', 550, '5.1.1',
            '550 5.1.1 no such address here', 'no_route', 'No route.', 'nobody' || (g % 500) || '@help.acme.test spammer' || g || '@junk.test no_route'
       FROM generate_series(1, $3::int) g`,
    [acme, world.domains.help.id, REFUSALS],
  );
  await sql.query("ANALYZE");
  console.log(`Seeded in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);

  const scope = { organizationId: acme };
  // Through the same client as the log (Prisma), so the ratio shows the queries' cost, not the driver's.
  const baseline = await sample(RUNS, () => db.$queryRaw`SELECT id FROM inbound_deliveries WHERE organization_id = ${acme}::uuid ORDER BY received_at DESC LIMIT 51`);
  const firstPage = await listMessages(scope, messagesQuerySchema.parse({}), db);
  // A deep page: follow the cursor 40 pages down (2,000 rows in).
  let deep = firstPage;
  for (let index = 0; index < 40 && deep.older; index++) deep = await listMessages(scope, messagesQuerySchema.parse({ after: deep.older }), db);
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

  const views: [string, Record<string, string>][] = [
    ["first page", {}],
    ["page 41 (cursor)", { after: deep.older ?? "" }],
    ["newer from page 41 (cursor)", { before: deep.newer ?? "" }],
    ["status = spam", { status: "spam" }],
    ["status = refused", { status: "refused" }],
    ["route: busy (60 %)", { route: world.routes.support.id }],
    ["route: rare (0.1 %)", { route: world.routes.copies.id }],
    ["queue: Sales", { queue: world.queues.sales.id }],
    ["domain", { domain: world.domains.help.id }],
    ["date range (a week, 3 weeks ago)", { from: day(28), to: day(21) }],
    ["search: a sender (rare)", { q: "customer12345@" }],
    ["search: a word (common)", { q: "arrived" }],
    ["search: a Message-ID", { q: "<m4321@sender.test>" }],
  ];
  console.log(`Baseline (bare index read of a page)    p50 ${ms(baseline.p50).padStart(9)}  p95 ${ms(baseline.p95).padStart(9)}\n`);
  for (const [label, params] of views) {
    const query = messagesQuerySchema.parse(params);
    captured.length = 0;
    const page = await listMessages(scope, query, db);
    const plans: string[] = [];
    if (EXPLAIN) {
      for (const { query: text, params: json } of captured.filter((entry) => entry.query.includes("UNION ALL") || entry.query.includes("FROM (("))) {
        const explained = await sql.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, JSON.parse(json) as unknown[]);
        plans.push(explained.rows.map((row: Record<string, string>) => `      ${row["QUERY PLAN"]}`).join("\n"));
      }
    }
    const measured = await sample(RUNS, () => listMessages(scope, query, db));
    console.log(
      `${label.padEnd(38)} p50 ${ms(measured.p50).padStart(9)}  p95 ${ms(measured.p95).padStart(9)}  ×${(measured.p50 / baseline.p50).toFixed(1)} (p50)  rows ${page.rows.length}`,
    );
    if (plans.length > 0) console.log(plans.join("\n"));
  }
  const routeIds = Object.values(world.routes).map((route) => route.id);
  const counts = await sample(RUNS, () => countRecentMessages(scope, "route", routeIds, db));
  console.log(`\n${"7-day counts for the routes".padEnd(38)} p50 ${ms(counts.p50).padStart(9)}  p95 ${ms(counts.p95).padStart(9)}  ×${(counts.p50 / baseline.p50).toFixed(1)} (p50)`);
  if (EXPLAIN) {
    captured.length = 0;
    await countRecentMessages(scope, "route", routeIds, db);
    for (const { query: text, params: json } of captured) {
      const explained = await sql.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, JSON.parse(json) as unknown[]);
      console.log(explained.rows.map((row: Record<string, string>) => `      ${row["QUERY PLAN"]}`).join("\n"));
    }
  }
}

if (process.env.ERC_BENCH_CHILD === "1") {
  await runMeasured(main, cleanups, 15);
} else {
  rerunUnderReactServer(fileURLToPath(import.meta.url), { ERC_BENCH_CHILD: "1" }, process.argv.slice(2));
}

import { cp, mkdtemp, rm, writeFile, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";

import { DEFAULT_MIGRATIONS_DIR, getMigrationStatus, migrate, MigrationError, migrationChecksum, readMigrations } from "@/lib/db/migrate";

import { databaseUrl, dropDatabase } from "../support/postgres-cluster";

const adminUrl = inject("pgAdminUrl");
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `erc_migrate_${created.length}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  return databaseUrl(adminUrl, name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "erc-migrations-"));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  for (const name of created) await dropDatabase(adminUrl, name);
});

describe("db:migrate", () => {
  let url: string;
  beforeEach(async () => {
    url = await emptyDatabase();
  });

  it("applies every migration in order and records it the way Prisma does", async () => {
    const files = await readMigrations();
    const applied = await migrate(url);
    expect(applied).toEqual(files.map((file) => file.name));

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(files.map((file) => file.name));
    for (const [index, row] of rows.entries()) {
      expect(row.checksum).toBe(migrationChecksum(files[index]!.sql));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await query<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["organizations", "users", "sessions", "queues"]));
  });

  it("does nothing the second time", async () => {
    await migrate(url);
    expect(await migrate(url)).toEqual([]);
    const count = await query<{ count: string }>(url, `SELECT count(*) FROM "_prisma_migrations"`);
    expect(Number(count[0]!.count)).toBe((await readMigrations()).length);
  });

  it("lets two instances start at once without migrating twice", async () => {
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const total = results.reduce((sum, applied) => sum + applied.length, 0);
    expect(total).toBe((await readMigrations()).length);
    expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
  });

  it("refuses to run when an applied migration was changed, naming it", async () => {
    const dir = await copyOfMigrations();
    await migrate(url, { dir });
    const [first] = await readMigrations(dir);
    await appendFile(path.join(dir, first!.name, "migration.sql"), "\n-- edited afterwards\n");
    await expect(migrate(url, { dir })).rejects.toThrow(new RegExp(`${first!.name} was changed after it was applied`));
    const status = await withClient(url, (client) => getMigrationStatus(client, dir));
    expect(status.changed).toEqual([first!.name]);
  });

  it("rolls a failing migration back completely and records nothing for it", async () => {
    const dir = await copyOfMigrations();
    const broken = path.join(dir, "29991231000000_broken");
    await import("node:fs/promises").then((fs) => fs.mkdir(broken));
    await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n`);
    await expect(migrate(url, { dir })).rejects.toThrow(/29991231000000_broken failed and was rolled back: .*no_such_table/);
    const leftovers = await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(leftovers).toHaveLength(0);
    const recorded = await query(url, `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`);
    expect(recorded).toHaveLength(0);
    // The good migrations before it stay applied.
    const status = await withClient(url, (client) => getMigrationStatus(client, dir));
    expect(status.pending).toEqual(["29991231000000_broken"]);
  });

  it("normalises names written before names were normalised, and stops naming the rows when two would become one", async () => {
    // The database as it was before 20261130010000: two organisations hold the same platform name in
    // different case, and one route on each.
    const NORMALISING = "20261130010000_normalised_names";
    const before = await copyOfMigrations();
    await rm(path.join(before, NORMALISING), { recursive: true });
    await migrate(url, { dir: before });
    await query(
      url,
      `WITH o AS (
         INSERT INTO organizations (name, slug, updated_at) VALUES ('Acme', 'acme', now()), ('Other', 'other', now()) RETURNING id, slug
       ), d AS (
         INSERT INTO domains (organization_id, kind, scenario, name, display_name, platform_label, updated_at)
         SELECT o.id, v.kind::domain_kind, v.scenario::routing_scenario, v.name, v.name, v.label, now()
           FROM o JOIN (VALUES ('acme', 'platform', 'platform_domain', 'acme-sec.mail.example', 'acme-sec'),
                               ('other', 'platform', 'platform_domain', 'ACME-SEC.mail.example', 'ACME-SEC'),
                               ('other', 'custom', 'own_domain', 'Help.Other.Example', NULL)) AS v(slug, kind, scenario, name, label) ON v.slug = o.slug
         RETURNING id, organization_id, name
       ), q AS (
         INSERT INTO queues (organization_id, name, name_key, updated_at) SELECT id, 'Support', 'support', now() FROM o RETURNING id, organization_id
       )
       INSERT INTO routes (organization_id, domain_id, pattern, pattern_key, address, queue_id, from_name, updated_at)
       SELECT d.organization_id, d.id, 'Help', 'help', lower('help@' || d.name), q.id, 'Support', now()
         FROM d JOIN q ON q.organization_id = d.organization_id`,
    );

    const refusal = migrate(url);
    await expect(refusal).rejects.toThrow(MigrationError);
    const message = await refusal.catch((error: Error) => error.message);
    expect(message).toContain(`Migration ${NORMALISING} failed and was rolled back`);
    expect(message).toContain('acme-sec.mail.example: "acme-sec.mail.example" (organisation acme), "ACME-SEC.mail.example" (organisation other)');
    expect(message).toContain("Keep one domain of each group and delete the others");
    expect(message).not.toMatch(/PL\/pgSQL|inline_code_block/);
    // Nothing changed: the rows are as they were and the migration is still to do.
    expect(await query(url, `SELECT name FROM domains ORDER BY name`)).toEqual([
      { name: "ACME-SEC.mail.example" },
      { name: "Help.Other.Example" },
      { name: "acme-sec.mail.example" },
    ]);
    expect((await withClient(url, (client) => getMigrationStatus(client))).pending).toEqual([NORMALISING]);

    // The operator keeps Acme's; the other organisation's remaining domain is normalised on the way.
    await query(url, `DELETE FROM domains WHERE name = 'ACME-SEC.mail.example'`);
    expect(await migrate(url)).toEqual([NORMALISING]);
    expect(await query(url, `SELECT name, display_name FROM domains ORDER BY name`)).toEqual([
      { name: "acme-sec.mail.example", display_name: "acme-sec.mail.example" },
      { name: "help.other.example", display_name: "Help.Other.Example" },
    ]);
    expect(await query(url, `SELECT address FROM routes ORDER BY address`)).toEqual([
      { address: "help@acme-sec.mail.example" },
      { address: "help@help.other.example" },
    ]);

    // From now on the database itself refuses a name that is not normalised, and a second route
    // with an address another organisation already routes.
    await expect(
      query(url, `INSERT INTO domains (organization_id, kind, scenario, name, display_name, platform_label, updated_at)
                  SELECT id, 'platform', 'platform_domain', 'ACME-SEC.mail.example', 'ACME-SEC.mail.example', 'ACME-SEC', now() FROM organizations WHERE slug = 'other'`),
    ).rejects.toThrow(/domains_name_normalised_check/);
    await expect(
      query(url, `INSERT INTO domains (organization_id, kind, scenario, name, display_name, updated_at)
                  SELECT id, 'custom', 'own_domain', ' acme-sec.mail.example', 'x', now() FROM organizations WHERE slug = 'other'`),
    ).rejects.toThrow(/domains_name_normalised_check/);
    await expect(
      query(url, `INSERT INTO routes (organization_id, domain_id, pattern, pattern_key, address, queue_id, from_name, updated_at)
                  SELECT o.id, d.id, 'sales', 'sales', 'help@acme-sec.mail.example', q.id, 'x', now()
                    FROM organizations o JOIN domains d ON d.organization_id = o.id JOIN queues q ON q.organization_id = o.id
                   WHERE o.slug = 'other'`),
    ).rejects.toThrow(/routes_address_key/);
  });

  it("reports an unreachable database as a connection error, not a hang", async () => {
    const closed = new URL(adminUrl);
    closed.port = "1";
    await expect(migrate(closed.toString())).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import pg from "pg";

import { findFreePort, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";

/**
 * A throwaway PostgreSQL cluster for one test run: random port, temporary directory, migrated
 * template database that each test file clones (CREATE DATABASE … TEMPLATE is a file copy: fast).
 */
export const TEMPLATE_DATABASE = "erc_template";

export interface TestCluster {
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** `durable`: fsync and synchronous commit on, as in production (benchmarks that time COMMIT). */
export async function startTestCluster(options: { durable?: boolean } = {}): Promise<TestCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "erc-test-pg-"));
  await chmod(dir, 0o755); // the postgres account must reach the data directory
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, "data"),
    port: await findFreePort(),
    password: "test-password",
    ephemeral: !options.durable,
  });
  const adminUrl = server.connectionString("postgres");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  await migrate(server.connectionString(TEMPLATE_DATABASE));
  return {
    adminUrl,
    urlFor: (database) => server.connectionString(database),
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createDatabaseFromTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

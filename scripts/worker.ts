/**
 * `npm run worker`: the background job worker as its own process, for deployments that run more
 * web instances than they want workers (set WORKER_MODE=off on the web instances) or that keep DNS
 * checks away from page traffic. Any number may run against one database. Uses DATABASE_URL, or
 * the embedded database (the running one if `npm start` is up). On SIGTERM/SIGINT it takes no new
 * jobs, lets running ones finish (handing back any still running after SHUTDOWN_TIMEOUT), and
 * closes its connections.
 */
import pg from "pg";

import { getConfig } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db/client";
import { getMigrationStatus } from "@/lib/db/migrate";
import { startWorker } from "@/lib/jobs/worker";
import { log } from "@/lib/log";
import { StartupError, withCommandDatabase } from "@/lib/runtime/database";

import { runCli } from "./cli";

async function assertMigrated(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 8_000 });
  await client.connect();
  try {
    const status = await getMigrationStatus(client);
    if (status.pending.length > 0 || status.failed.length > 0) {
      throw new StartupError(`The database is not migrated (${status.pending.length + status.failed.length} pending); run \`npm run db:migrate\` first.`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

runCli(async () => {
  const config = getConfig();
  await withCommandDatabase(config, process.cwd(), async (url) => {
    process.env.DATABASE_URL = url;
    await assertMigrated(url);
    const worker = await startWorker({ config, mode: "separate" });
    const signal = await untilSignal();
    log.info({ signal }, "stopping the job worker");
    const forced = setTimeout(() => {
      log.error("the job worker did not stop in time; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT + 5_000);
    forced.unref();
    await worker.stop(config.SHUTDOWN_TIMEOUT);
    await disconnectDb();
  });
});

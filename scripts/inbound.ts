/**
 * `npm run inbound`: the inbound SMTP gateway as its own process — one per MX host, as many as you
 * like against one database (set INBOUND_MODE=off on the web instances). Uses DATABASE_URL, or the
 * embedded database (the running one if `npm start` is up). On SIGTERM/SIGINT new connections and
 * new transactions get 421 while transactions under way finish (up to SHUTDOWN_TIMEOUT), then it
 * exits. Under a process manager start the command itself so the signal reaches it:
 * `node --conditions=react-server --import tsx scripts/inbound.ts`.
 */
import pg from "pg";

import { getConfig } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db/client";
import { getMigrationStatus } from "@/lib/db/migrate";
import { log } from "@/lib/log";
import { startGateway } from "@/lib/mail/gateway";
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
    let gateway;
    try {
      gateway = await startGateway({ config, mode: "separate" });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new StartupError(`Port ${config.INBOUND_SMTP_PORT} is already in use. Set INBOUND_SMTP_PORT to a free port.`);
      if (code === "EACCES") throw new StartupError(`No permission to listen on port ${config.INBOUND_SMTP_PORT} (ports below 1024 need privileges).`);
      throw error;
    }
    console.log(`Inbound SMTP gateway listening on port ${gateway.port}.`);
    const signal = await untilSignal();
    log.info({ signal }, "stopping the inbound SMTP gateway");
    const forced = setTimeout(() => {
      log.error("the inbound SMTP gateway did not stop in time; exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT + 5_000);
    forced.unref();
    await gateway.stop(config.SHUTDOWN_TIMEOUT);
    await disconnectDb();
  });
});

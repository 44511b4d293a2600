/**
 * `npm start`: validates configuration, brings up the database (embedded PostgreSQL unless
 * DATABASE_URL is set), migrates it, seeds the demo organisations on a local install, builds the
 * console when its sources changed, and serves it — then shuts everything down cleanly, web server
 * first, on Ctrl-C or SIGTERM. `--dev` serves with `next dev` instead of a production build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { DEMO_ACCOUNTS, seedDemoData, seedDemoMailRouting } from "@/lib/accounts/demo-seed";
import { formatConfigProblems, loadConfig, publicUrl } from "@/lib/config/env";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { ensureBuild } from "@/lib/runtime/build";
import { prepareDatabase, StartupError } from "@/lib/runtime/database";
import { readOrCreateSecret } from "@/lib/runtime/local-secrets";
import { listeningOnLoopback } from "@/lib/runtime/listening";

import { runCli } from "./cli";

const root = process.cwd();
const startedAt = performance.now();
const dev = process.argv.includes("--dev");
const say = (line: string) => console.log(line);

async function waitUntilServing(url: string, server: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (server.exitCode !== null) throw new StartupError("The web server stopped while starting (see the messages above).");
    const response = await fetch(url, { redirect: "manual" }).catch(() => undefined);
    if (response && response.status < 500) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new StartupError(`The web server did not answer at ${url} within two minutes.`);
}

/** The in-process SMTP gateway starts with Next's server; give it a few seconds to listen. */
const smtpListening = (port: number) => listeningOnLoopback(port, 15_000, 200);

async function main(): Promise<number> {
  Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });
  // Where the database is and where local secrets live, read before those secrets exist: as a
  // development configuration, which does not yet require them (the full check follows).
  const given = loadConfig({ ...process.env, NODE_ENV: "development" });
  if (!given.ok) {
    console.error(formatConfigProblems(given.problems));
    return 1;
  }
  const embedded = !given.config.DATABASE_URL;
  if (embedded) {
    // A local install keeps its generated secrets in the data directory; production supplies them.
    const dataDir = path.resolve(root, given.config.DATA_DIR);
    process.env.NEXTAUTH_SECRET ||= await readOrCreateSecret(dataDir, "nextauth-secret");
    process.env.SECRETS_KEY ||= await readOrCreateSecret(dataDir, "secrets-key");
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error(formatConfigProblems(loaded.problems));
    return 1;
  }
  const config = loaded.config;
  const url = publicUrl(config);
  const host = config.HOST ?? (embedded ? "127.0.0.1" : "0.0.0.0");

  const database = await prepareDatabase(config, { root, log: say });
  let server: ChildProcess | undefined;
  let shuttingDown = false;
  let demoAddresses: string[] = [];
  const smtpHost = config.INBOUND_SMTP_HOST ?? host;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (server && server.exitCode === null) {
      say("Stopping the console…");
      server.kill("SIGTERM");
      // serve.ts waits up to SHUTDOWN_TIMEOUT for requests and running jobs; give it that and a margin.
      const forced = setTimeout(() => server?.kill("SIGKILL"), Math.max(20_000, config.SHUTDOWN_TIMEOUT + 5_000));
      await new Promise((resolve) => server?.once("exit", resolve));
      clearTimeout(forced);
    }
    await disconnectDb().catch(() => undefined);
    if (database.embedded) say("Stopping the embedded PostgreSQL…");
    await database.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    selectDatabase(database.url);
    const seed = config.SEED_DEMO_DATA ?? database.embedded;
    if (seed) {
      await seedDemoData(getDb());
      demoAddresses = await seedDemoMailRouting(getDb(), config.PLATFORM_DOMAIN);
      await disconnectDb();
    }
    if (!dev) await ensureBuild(root, say);

    server = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/serve.ts"), ...(dev ? ["--dev"] : [])], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: database.url, HOST: host, PORT: String(config.PORT), NEXTAUTH_URL: url, INBOUND_SMTP_HOST: smtpHost },
    });
    server.once("exit", (code) => {
      if (!shuttingDown) {
        console.error(`The web server stopped unexpectedly (exit code ${code}).`);
        void shutdown(code || 1);
      }
    });
    await waitUntilServing(`http://127.0.0.1:${config.PORT}/signin`, server);
  } catch (error) {
    await shutdown(1).catch(() => undefined);
    throw error;
  }

  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  say("");
  say(`Email Routing Console is ready at ${url} (started in ${seconds} s).`);
  if (config.SEED_DEMO_DATA ?? database.embedded) {
    say("Demo sign-in details:");
    for (const account of DEMO_ACCOUNTS) say(`  ${account.email.padEnd(28)} ${account.password.padEnd(28)} ${account.role}`);
  }
  if (config.INBOUND_MODE === "in-process") {
    if (await smtpListening(config.INBOUND_SMTP_PORT)) {
      say(`Inbound SMTP gateway is listening on ${smtpHost}:${config.INBOUND_SMTP_PORT}.`);
      const [first] = demoAddresses;
      if (first) say(`  Try: swaks --server 127.0.0.1:${config.INBOUND_SMTP_PORT} --to ${first} --from customer@shop.example`);
    } else {
      say(`Inbound SMTP gateway is not listening on port ${config.INBOUND_SMTP_PORT} yet (see the log above; set INBOUND_SMTP_PORT to a free port).`);
    }
  }
  say("Press Ctrl-C to stop.");
  await new Promise(() => {}); // runs until a signal arrives
  return 0;
}

runCli(main);

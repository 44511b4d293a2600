import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { seedDemoData, seedDemoMailRouting } from "@/lib/accounts/demo-seed";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";

import { startAppServer } from "./app-server";
import { PLATFORM_TEST_ENV } from "./dns-publish";
import type { DnsWorld } from "./dns-server";
import { PLATFORM_DOMAIN, startSenderDns } from "./inbound";
import { createDatabaseFromTemplate, databaseUrl, dropDatabase } from "./postgres-cluster";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Settings every test instance of the console runs with. DNS goes to a loopback port where nothing
 * listens unless a test points it at its own DNS servers: a test never asks the machine's resolver.
 */
export const TEST_APP_ENV: Record<string, string> = {
  NEXTAUTH_SECRET: "browser-test-secret-that-is-long-enough",
  SECRETS_KEY: Buffer.alloc(32, 2).toString("base64"),
  // Each test sends its own X-Forwarded-For, so sign-in limits of one test do not lock out another.
  TRUST_PROXY: "true",
  ...PLATFORM_TEST_ENV,
  DNS_RESOLVERS: "127.0.0.1:9",
  DNS_TIMEOUT_MS: "300",
  DNS_DEADLINE_MS: "3000",
};

export interface TestApp {
  url: string;
  /** The in-process inbound SMTP gateway's port on 127.0.0.1. */
  smtpPort: number;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** A console of its own (fresh seeded database, own settings) for tests that need other settings. */
export async function startTestApp(adminUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const name = `erc_app_${randomBytes(5).toString("hex")}`;
  await createDatabaseFromTemplate(adminUrl, name);
  const url = databaseUrl(adminUrl, name);
  const previous = selectDatabase(url);
  await seedDemoData(getDb());
  await disconnectDb();
  selectDatabase(previous);
  const app = await startAppServer(PROJECT_ROOT, { ...TEST_APP_ENV, DATABASE_URL: url, ...env });
  return {
    url: app.url,
    smtpPort: app.smtpPort,
    databaseUrl: url,
    async stop() {
      await app.stop();
      await dropDatabase(adminUrl, name).catch(() => undefined);
    },
  };
}

/**
 * A console of its own whose in-process gateway takes mail as it would for real: loopback DNS
 * where sender.test passes SPF, and Acme's demo routes on the platform domain. Selects its
 * database for the test's own reads and writes.
 */
export async function startMailTestApp(adminUrl: string): Promise<{ app: TestApp; dns: DnsWorld; stop(): Promise<void> }> {
  const dns = await startSenderDns();
  const app = await startTestApp(adminUrl, { DNS_RESOLVERS: `127.0.0.1:${dns.resolver.port}`, DNS_TIMEOUT_MS: "500", INBOUND_HOSTNAME: "inbound-1.platform.test" });
  selectDatabase(app.databaseUrl);
  await seedDemoMailRouting(getDb(), PLATFORM_DOMAIN);
  return {
    app,
    dns,
    async stop() {
      await disconnectDb();
      await app.stop();
      await dns.close();
    },
  };
}

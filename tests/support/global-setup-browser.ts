import path from "node:path";
import { fileURLToPath } from "node:url";

import type { TestProject } from "vitest/node";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { disconnectDb, getDb } from "@/lib/db/client";
import { ensureBuild } from "@/lib/runtime/build";

import { startAppServer } from "./app-server";
import { chromiumAvailable, MISSING_CHROMIUM_MESSAGE } from "./chromium";
import { createDatabaseFromTemplate, databaseUrl, startTestCluster } from "./postgres-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    appDatabaseUrl: string;
    chromium: boolean;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default async function setup(project: TestProject) {
  if (!chromiumAvailable()) {
    if (process.env.CI) throw new Error(MISSING_CHROMIUM_MESSAGE);
    console.warn(MISSING_CHROMIUM_MESSAGE);
    project.provide("chromium", false);
    project.provide("appUrl", "");
    project.provide("appDatabaseUrl", "");
    return;
  }
  await ensureBuild(root);
  const cluster = await startTestCluster();
  let app;
  let url: string;
  try {
    await createDatabaseFromTemplate(cluster.adminUrl, "erc_browser");
    url = databaseUrl(cluster.adminUrl, "erc_browser");
    process.env.DATABASE_URL = url;
    await seedDemoData(getDb());
    await disconnectDb();
    app = await startAppServer(root, {
      DATABASE_URL: url,
      NEXTAUTH_SECRET: "browser-test-secret-that-is-long-enough",
      SECRETS_KEY: Buffer.alloc(32, 2).toString("base64"),
      // Each test sends its own X-Forwarded-For, so sign-in limits of one test do not lock out another.
      TRUST_PROXY: "true",
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  project.provide("chromium", true);
  project.provide("appUrl", app.url);
  project.provide("appDatabaseUrl", url);
  return async () => {
    await app?.stop();
    await cluster.stop();
  };
}

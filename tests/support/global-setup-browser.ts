import type { TestProject } from "vitest/node";

import { ensureBuild } from "@/lib/runtime/build";

import { chromiumAvailable, MISSING_CHROMIUM_MESSAGE } from "./chromium";
import { startTestCluster } from "./postgres-cluster";
import { PROJECT_ROOT, startTestApp, type TestApp } from "./test-app";

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    appDatabaseUrl: string;
    chromium: boolean;
  }
}

export default async function setup(project: TestProject) {
  if (!chromiumAvailable()) {
    if (process.env.CI) throw new Error(MISSING_CHROMIUM_MESSAGE);
    console.warn(MISSING_CHROMIUM_MESSAGE);
    project.provide("chromium", false);
    project.provide("appUrl", "");
    project.provide("appDatabaseUrl", "");
    project.provide("pgAdminUrl", "");
    return;
  }
  await ensureBuild(PROJECT_ROOT);
  const cluster = await startTestCluster();
  let app: TestApp;
  try {
    app = await startTestApp(cluster.adminUrl);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  project.provide("chromium", true);
  project.provide("appUrl", app.url);
  project.provide("appDatabaseUrl", app.databaseUrl);
  project.provide("pgAdminUrl", cluster.adminUrl);
  return async () => {
    await app.stop();
    await cluster.stop();
  };
}

import type { TestProject } from "vitest/node";

import { startTestCluster } from "./postgres-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await startTestCluster();
  project.provide("pgAdminUrl", cluster.adminUrl);
  return async () => cluster.stop();
}

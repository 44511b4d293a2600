import { expect } from "vitest";

import { loadConfig } from "@/lib/config/env";

/** What `loadConfig` reports as wrong with `env`; the test fails if the configuration is accepted. */
export function configProblems(env: NodeJS.ProcessEnv) {
  const result = loadConfig(env);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

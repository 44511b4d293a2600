import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

const alias = [
  { find: /^@\//, replacement: `${root}/` },
  // Tests run outside React's server environment, where the `server-only` marker would throw.
  { find: /^server-only$/, replacement: `${root}/tests/support/server-only-stub.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    environment: "node",
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "tests/unit/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup-database.ts"],
          setupFiles: ["tests/support/setup-integration.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup-browser.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // expect.poll's default of 1 s is too short for a page round trip on a busy 2-core machine.
          expect: { poll: { timeout: 10_000 } },
          // One app server and one Chromium at a time fit the 2-core machines.
          fileParallelism: false,
        },
      },
    ],
  },
});

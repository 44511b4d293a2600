import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

const alias = [
  { find: /^@\//, replacement: `${root}/` },
  // Tests run outside React's server environment, where the `server-only` marker would throw.
  { find: /^server-only$/, replacement: `${root}/tests/support/server-only-stub.ts` },
];

/**
 * `npm run test:browser` (scripts/test-browser.ts) runs the browser tests as two streams at once, one
 * vitest process per project, each running its files one at a time against its own app server,
 * database and Chromium. These files, the longest, make the second stream, about half the time of
 * the whole. A file relies only on what it writes itself, so either stream may hold it.
 */
const BROWSER_SECOND_STREAM = [
  "tests/browser/layout.test.ts",
  "tests/browser/domain-records.test.ts",
  "tests/browser/setup.test.ts",
  "tests/browser/tables.test.ts",
  "tests/browser/access.test.ts",
];

const browserProject = {
  globalSetup: ["tests/support/global-setup-browser.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // expect.poll's default of 1 s is too short for a page round trip on a busy 2-core machine.
  expect: { poll: { timeout: 10_000 } },
  fileParallelism: false,
};

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
      { extends: true, test: { ...browserProject, name: "browser", include: ["tests/browser/**/*.test.ts"], exclude: BROWSER_SECOND_STREAM } },
      { extends: true, test: { ...browserProject, name: "browser-2", include: BROWSER_SECOND_STREAM } },
    ],
  },
});

import { randomBytes } from "node:crypto";

import { afterAll, inject, vi } from "vitest";

import { disconnectDb } from "@/lib/db/client";

import { createDatabaseFromTemplate, databaseUrl, dropDatabase } from "./postgres-cluster";
import { requestContext, TEST_SECRET } from "./request-context";

// Every test file gets its own freshly migrated database, cloned from the run's template.
const adminUrl = inject("pgAdminUrl");
const database = `erc_test_${randomBytes(6).toString("hex")}`;
await createDatabaseFromTemplate(adminUrl, database);
// The test process's own configuration (set before anything reads it), inherited by the commands
// and services the tests start as child processes.
process.env.DATABASE_URL = databaseUrl(adminUrl, database);
process.env.NEXTAUTH_SECRET = TEST_SECRET;
process.env.SECRETS_KEY = Buffer.alloc(32, 1).toString("base64");
process.env.NEXTAUTH_URL = "http://localhost:3000";

vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => {
      const value = requestContext.cookies.get(name);
      return value === undefined ? undefined : { name, value };
    },
    has: (name: string) => requestContext.cookies.has(name),
  }),
  headers: async () => requestContext.headers,
}));

vi.mock("next/cache", () => ({
  revalidatePath: vi.fn(),
  revalidateTag: vi.fn(),
  updateTag: vi.fn(),
  refresh: vi.fn(),
}));

afterAll(async () => {
  await disconnectDb();
  await dropDatabase(adminUrl, database);
});

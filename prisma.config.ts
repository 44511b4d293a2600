// The Prisma CLI fetches a native schema engine on every command from a host this project's
// machines cannot reach. `generate`, `validate` and `format` do not need it, so point it at a
// harmless binary; migrations are applied by `npm run db:migrate` (lib/db/migrate.ts) instead.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/true";

import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // `env()` from prisma/config throws when the variable is unset, which would break `generate`.
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://placeholder@localhost:5432/placeholder" },
});

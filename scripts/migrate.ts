/** `npm run db:migrate`: applies pending migrations (to DATABASE_URL, or the embedded database). */
import { getConfig } from "@/lib/config/env";
import { migrate } from "@/lib/db/migrate";
import { withCommandDatabase } from "@/lib/runtime/database";

import { runCli } from "./cli";

runCli(async () => {
  await withCommandDatabase(getConfig(), process.cwd(), async (url) => {
    const applied = await migrate(url, { log: (line) => console.log(line) });
    console.log(applied.length === 0 ? "Database schema is up to date." : `Applied ${applied.length} migration(s).`);
  });
});

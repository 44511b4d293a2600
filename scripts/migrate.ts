/** `npm run db:migrate`: applies pending migrations (to DATABASE_URL, or the embedded database). */
import { migrate } from "@/lib/db/migrate";

import { runCli, withCommandDb } from "./cli";

runCli(async () => {
  await withCommandDb(async (_db, url) => {
    const applied = await migrate(url, { log: (line) => console.log(line) });
    console.log(applied.length === 0 ? "Database schema is up to date." : `Applied ${applied.length} migration(s).`);
  });
});

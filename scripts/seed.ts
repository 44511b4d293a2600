/** `npm run db:seed`: creates (or restores) the demo organisations and accounts. Safe to run again. */
import { DEMO_ACCOUNTS, seedDemoData } from "@/lib/accounts/demo-seed";
import { migrate } from "@/lib/db/migrate";

import { runCli, withCommandDb } from "./cli";

runCli(async () => {
  await withCommandDb(async (db, url) => {
    await migrate(url);
    await seedDemoData(db);
  });
  console.log("Demo data is in place. Sign-in details:");
  for (const account of DEMO_ACCOUNTS) console.log(`  ${account.email.padEnd(28)} ${account.password.padEnd(28)} ${account.role}`);
});

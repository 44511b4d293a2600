/** `npm run db:seed`: creates (or restores) the demo organisations and accounts. Safe to run again. */
import { DEMO_ACCOUNTS, seedDemoData } from "@/lib/accounts/demo-seed";
import { getConfig } from "@/lib/config/env";
import { disconnectDb, getDb } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { withCommandDatabase } from "@/lib/runtime/database";

import { runCli } from "./cli";

runCli(async () => {
  await withCommandDatabase(getConfig(), process.cwd(), async (url) => {
    process.env.DATABASE_URL = url;
    await migrate(url);
    await seedDemoData(getDb());
    await disconnectDb();
  });
  console.log("Demo data is in place. Sign-in details:");
  for (const account of DEMO_ACCOUNTS) console.log(`  ${account.email.padEnd(28)} ${account.password.padEnd(28)} ${account.role}`);
});

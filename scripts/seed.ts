/**
 * `npm run db:seed`: creates (or restores) the demo organisations and accounts, and the demo
 * organisation's platform label with routes for inbound mail. Safe to run again.
 */
import { DEMO_ACCOUNTS, seedDemoData, seedDemoMailRouting } from "@/lib/accounts/demo-seed";
import { getConfig } from "@/lib/config/env";
import { migrate } from "@/lib/db/migrate";

import { runCli, withCommandDb } from "./cli";

runCli(async () => {
  let addresses: string[] = [];
  await withCommandDb(async (db, url) => {
    await migrate(url);
    await seedDemoData(db);
    addresses = await seedDemoMailRouting(db, getConfig().PLATFORM_DOMAIN);
  });
  console.log("Demo data is in place. Sign-in details:");
  for (const account of DEMO_ACCOUNTS) console.log(`  ${account.email.padEnd(28)} ${account.password.padEnd(28)} ${account.role}`);
  if (addresses.length > 0) console.log(`Demo mail addresses: ${addresses.join(", ")}`);
});

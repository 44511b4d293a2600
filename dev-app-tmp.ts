import { spawn } from "node:child_process";
import { encode } from "next-auth/jwt";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb, disconnectDb } from "@/lib/db/client";
import { createSession } from "@/lib/auth/sessions";
import { startTestCluster, createDatabaseFromTemplate, databaseUrl } from "./tests/support/postgres-cluster";
import { TEST_APP_ENV } from "./tests/support/test-app";

const cluster = await startTestCluster();
await createDatabaseFromTemplate(cluster.adminUrl, "scratch");
const url = databaseUrl(cluster.adminUrl, "scratch");
process.env.DATABASE_URL = url;
const db = getDb();
await seedDemoData(db);
const user = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
const session = await createSession(db, { userId: user.id, maxAgeHours: 5 });
const token = await encode({ token: { sid: session.id, sub: user.id }, secret: TEST_APP_ENV.NEXTAUTH_SECRET! });
await disconnectDb();
console.log(`COOKIE erc.session-token=${token}`);
const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
  stdio: "inherit",
  env: { ...process.env, ...TEST_APP_ENV, NODE_ENV: "production", PORT: "3977", HOST: "127.0.0.1", NEXTAUTH_URL: "http://127.0.0.1:3977", LOG_LEVEL: "info", DATABASE_URL: url },
});
process.on("SIGTERM", async () => { child.kill("SIGTERM"); await cluster.stop(); process.exit(0); });

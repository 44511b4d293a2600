import { expect, it } from "vitest";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { authenticate } from "@/lib/auth/authenticate";
import { getDb } from "@/lib/db/client";

const db = getDb();
await seedDemoData(db);
const settings = { limits: { maxFailures: 3, windowMinutes: 15 }, sessionMaxAgeHours: 8 };

it("answers a sign-in with a NUL byte in the email or password as a wrong password, not a failure", async () => {
  for (const attempt of [
    { email: "admin@acme.example\u0000", password: "acme-admin-password" },
    { email: "\u0000", password: "x" },
    { email: "admin@acme.example", password: "acme-admin-password\u0000" },
  ]) {
    expect(await authenticate(db, settings, { ...attempt, clientAddress: "10.9.0.1" }), JSON.stringify(attempt)).toEqual({ ok: false, reason: "invalid" });
  }
  expect(await authenticate(db, settings, { email: "admin@acme.example", password: "acme-admin-password", clientAddress: "10.9.0.2" })).toMatchObject({ ok: true });
});

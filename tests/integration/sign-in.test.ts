import { describe, expect, it } from "vitest";

import { createUser } from "@/lib/accounts/accounts";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import { authenticate } from "@/lib/auth/authenticate";
import { findActor, endSession } from "@/lib/auth/sessions";
import { getDb, getPool } from "@/lib/db/client";

const db = getDb();
await seedDemoData(db);
const settings = { limits: { maxFailures: 3, windowMinutes: 15 }, sessionMaxAgeHours: 8 };

describe("sign-in", () => {
  it("signs the admin in with the right password, case-insensitively on the email", async () => {
    const result = await authenticate(db, settings, { email: "  Admin@Acme.Example ", password: "acme-admin-password", clientAddress: "10.0.0.1" });
    expect(result).toMatchObject({ ok: true, user: { email: "admin@acme.example" } });
    if (!result.ok) return;
    const actor = await findActor(getPool(), result.sessionId);
    expect(actor).toMatchObject({ email: "admin@acme.example", organizationName: "Acme", permissions: ["routing:email:manage"] });
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const unknown = await authenticate(db, settings, { email: "nobody@acme.example", password: "whatever-password", clientAddress: "10.0.0.2" });
    const wrong = await authenticate(db, settings, { email: "viewer@acme.example", password: "not-the-password", clientAddress: "10.0.0.2" });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual(unknown);
  });

  it("stops accepting attempts for an account after too many failures, even with the right password", async () => {
    const email = "nopermission@acme.example";
    for (let attempt = 0; attempt < 3; attempt++) {
      // Each from a different address: the account's own count must trip.
      expect(await authenticate(db, settings, { email, password: "wrong-password!", clientAddress: `10.1.0.${attempt}` })).toMatchObject({ reason: "invalid" });
    }
    const blocked = await authenticate(db, settings, { email, password: "acme-nopermission-password", clientAddress: "10.1.0.9" });
    expect(blocked).toMatchObject({ ok: false, reason: "rate_limited" });
    if (blocked.ok || blocked.reason !== "rate_limited") return;
    expect(blocked.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it("stops accepting attempts from a client address that keeps failing across accounts", async () => {
    const clientAddress = "10.2.0.1";
    for (const email of ["a@x.example", "b@x.example", "c@x.example"]) {
      await authenticate(db, settings, { email, password: "wrong-password!", clientAddress });
    }
    const blocked = await authenticate(db, settings, { email: "admin@acme.example", password: "acme-admin-password", clientAddress });
    expect(blocked).toMatchObject({ ok: false, reason: "rate_limited" });
    // The same account from elsewhere is unaffected.
    const elsewhere = await authenticate(db, settings, { email: "admin@acme.example", password: "acme-admin-password", clientAddress: "10.2.0.2" });
    expect(elsewhere.ok).toBe(true);
  });

  it("checks at most the limit of passwords when 100 wrong ones arrive at once, then refuses the right one", async () => {
    const email = "burst@acme.example";
    await createUser(db, { organizationSlug: "acme", email, name: "Burst", password: "burst-right-password" });
    // Every attempt from its own address: only the account's count can hold them back.
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        authenticate(db, settings, { email, password: `wrong-password-${index}`, clientAddress: `10.6.${index >> 8}.${index & 255}` }),
      ),
    );
    const reasons = outcomes.map((outcome) => (outcome.ok ? "ok" : outcome.reason));
    // "invalid" means a password was checked and found wrong: exactly the limit, never more.
    expect(reasons.filter((reason) => reason === "invalid")).toHaveLength(settings.limits.maxFailures);
    expect(reasons.filter((reason) => reason === "rate_limited")).toHaveLength(100 - settings.limits.maxFailures);
    expect(await db.loginFailure.count({ where: { email } })).toBe(settings.limits.maxFailures);
    const right = await authenticate(db, settings, { email, password: "burst-right-password", clientAddress: "10.6.9.9" });
    expect(right).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("holds the client address limit when one address tries 100 accounts at once", async () => {
    const clientAddress = "10.7.0.1";
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => authenticate(db, settings, { email: `spray-${index}@x.example`, password: "wrong-password!", clientAddress })),
    );
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.reason === "invalid")).toHaveLength(settings.limits.maxFailures);
    expect(await db.loginFailure.count({ where: { clientAddress } })).toBe(settings.limits.maxFailures);
    const right = await authenticate(db, settings, { email: "viewer@acme.example", password: "acme-viewer-password", clientAddress });
    expect(right).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("answers an over-long email like any unknown one, without an error", async () => {
    const result = await authenticate(db, settings, { email: `${"a".repeat(300)}@acme.example`, password: "whatever-password", clientAddress: "10.8.0.1" });
    expect(result).toEqual({ ok: false, reason: "invalid" });
  });

  it("forgets old failures once they leave the window", async () => {
    const email = "viewer@acme.example";
    const old = new Date(Date.now() - 16 * 60_000);
    await db.loginFailure.createMany({ data: Array.from({ length: 5 }, () => ({ email, clientAddress: "10.3.0.1", createdAt: old })) });
    const result = await authenticate(db, settings, { email, password: "acme-viewer-password", clientAddress: "10.3.0.1" });
    expect(result.ok).toBe(true);
  });

  it("counts failures in the database, so every app instance sees them", async () => {
    const email = "admin@globex.example";
    await authenticate(db, settings, { email, password: "wrong-password!", clientAddress: "10.4.0.1" });
    const rows = await db.loginFailure.count({ where: { email } });
    expect(rows).toBe(1);
  });

  it("ends sessions on sign-out and when they expire", async () => {
    const result = await authenticate(db, settings, { email: "admin@acme.example", password: "acme-admin-password", clientAddress: "10.5.0.1" });
    if (!result.ok) throw new Error("sign-in failed");
    expect(await findActor(getPool(), result.sessionId)).not.toBeNull();
    const inNineHours = new Date(Date.now() + 9 * 3_600_000);
    expect(await findActor(getPool(), result.sessionId, inNineHours)).toBeNull();
    await endSession(db, result.sessionId);
    expect(await findActor(getPool(), result.sessionId)).toBeNull();
  });

  it("stores argon2id hashes, never the password", async () => {
    const user = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user.passwordHash).not.toContain("acme-admin-password");
  });
});

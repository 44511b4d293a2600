import "server-only";

import type { Database } from "@/lib/db/client";
import { normaliseEmail } from "./schemas";
import { hasControlCharacter } from "@/lib/validation/plain-text";

import { clearAccountFailures, forgetExpiredLoginFailures, reserveLoginAttempt, type LoginLimits } from "./login-limiter";
import { verifyPassword } from "./password";
import { createSession } from "./sessions";

const MAX_EMAIL_LENGTH = 254;

export type AuthenticationResult =
  | { ok: true; sessionId: string; user: { id: string; email: string; name: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * Email + password sign-in. Unknown email and wrong password are one outcome ("invalid") and cost
 * the same time; every attempt counts against the account and the client address before its
 * password is checked, and only a correct password takes it back.
 */
export async function authenticate(
  db: Database,
  settings: { limits: LoginLimits; sessionMaxAgeHours: number },
  attempt: { email: string; password: string; clientAddress: string; userAgent?: string },
): Promise<AuthenticationResult> {
  const email = normaliseEmail(attempt.email);
  // No account has a longer address (and the limiter's column holds no more), none has a control
  // character, and PostgreSQL would refuse a NUL byte in the query: nothing to check.
  if (!email || email.length > MAX_EMAIL_LENGTH || hasControlCharacter(email) || !attempt.password) return { ok: false, reason: "invalid" };
  const key = { email, clientAddress: attempt.clientAddress };
  const reservation = await reserveLoginAttempt(db, settings.limits, key);
  if (!reservation.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: reservation.retryAfterSeconds };

  const user = await db.user.findUnique({ where: { email } });
  const valid = await verifyPassword(user?.passwordHash ?? null, attempt.password);
  if (!valid || !user) {
    await forgetExpiredLoginFailures(db, settings.limits);
    return { ok: false, reason: "invalid" };
  }
  await clearAccountFailures(db, email);
  const session = await createSession(db, {
    userId: user.id,
    maxAgeHours: settings.sessionMaxAgeHours,
    clientAddress: attempt.clientAddress,
    userAgent: attempt.userAgent,
  });
  return { ok: true, sessionId: session.id, user: { id: user.id, email: user.email, name: user.name } };
}

import "server-only";

import type { Database } from "@/lib/db/client";

/**
 * Limits sign-in attempts per account and per client address over a sliding window. Counts live in
 * PostgreSQL so every app instance sees the same numbers.
 *
 * An attempt is reserved — written as a failure — before its password is checked, under a lock
 * per account and per address, and only if both counts are still under the limit. So however many
 * attempts arrive at once, at most `maxFailures` passwords are checked per account (and per
 * address) in a window; a correct password then removes the account's rows, its own included.
 * The reservation is one SQL function, `reserve_login_attempt` (migration
 * 20261130020000_login_attempt_reservation).
 */
export interface LoginLimits {
  maxFailures: number;
  windowMinutes: number;
}

export type LoginReservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export async function reserveLoginAttempt(
  db: Database,
  limits: LoginLimits,
  attempt: { email: string; clientAddress: string },
  now = new Date(),
): Promise<LoginReservation> {
  // One statement, so a reservation holds a database connection for a single round trip: the
  // locking, counting and insert happen inside reserve_login_attempt (see its migration).
  const [row] = await db.$queryRaw<
    { reserved: boolean; account_failures: bigint; account_oldest: Date | null; client_failures: bigint; client_oldest: Date | null }[]
  >`SELECT * FROM reserve_login_attempt(${attempt.email}, ${attempt.clientAddress}, ${now}, ${limits.windowMinutes * 60}::int, ${limits.maxFailures}::int)`;
  if (!row) throw new Error("reserve_login_attempt returned no row");
  if (row.reserved) return { allowed: true };
  let retryAfterSeconds = 1;
  for (const [failures, oldest] of [
    [row.account_failures, row.account_oldest],
    [row.client_failures, row.client_oldest],
  ] as const) {
    if (Number(failures) < limits.maxFailures || !oldest) continue;
    // Nothing is written while blocked, so the count drops below the limit as soon as the oldest
    // counted attempt leaves the window.
    const freedAt = oldest.getTime() + limits.windowMinutes * 60_000;
    retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((freedAt - now.getTime()) / 1000));
  }
  return { allowed: false, retryAfterSeconds };
}

/** Rows older than the window never count again; trimming after a failure keeps the table small. */
export async function forgetExpiredLoginFailures(db: Database, limits: LoginLimits, now = new Date()): Promise<void> {
  await db.loginFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - limits.windowMinutes * 60_000) } } });
}

/** A correct password proves the account holder; their account's count starts again. */
export async function clearAccountFailures(db: Database, email: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { email } });
}

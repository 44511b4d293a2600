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
 */
export interface LoginLimits {
  maxFailures: number;
  windowMinutes: number;
}

export type LoginReservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

// Advisory lock spaces (the first key of pg_advisory_xact_lock(int, int)), one per kind of key, so
// an account's lock never collides with an address's. Every reservation takes the account's lock
// before the address's: the same order everywhere, so two reservations cannot deadlock.
const ACCOUNT_LOCKS = 0x4c_47_4e_41; // "LGNA"
const ADDRESS_LOCKS = 0x4c_47_4e_43; // "LGNC"

export async function reserveLoginAttempt(
  db: Database,
  limits: LoginLimits,
  attempt: { email: string; clientAddress: string },
  now = new Date(),
): Promise<LoginReservation> {
  const since = new Date(now.getTime() - limits.windowMinutes * 60_000);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_LOCKS}::int, hashtext(${attempt.email}))`;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADDRESS_LOCKS}::int, hashtext(${attempt.clientAddress}))`;
      // Under both locks (and, in READ COMMITTED, with a snapshot taken after they were granted),
      // the counts include every reservation committed before ours.
      const reserved = await tx.$executeRaw`
        INSERT INTO login_failures (email, client_address, created_at)
        SELECT ${attempt.email}, ${attempt.clientAddress}, ${now}
         WHERE (SELECT count(*) FROM login_failures WHERE email = ${attempt.email} AND created_at > ${since}) < ${limits.maxFailures}
           AND (SELECT count(*) FROM login_failures WHERE client_address = ${attempt.clientAddress} AND created_at > ${since}) < ${limits.maxFailures}`;
      if (reserved === 1) return { allowed: true } as const;
      const rows = await tx.$queryRaw<{ failures: bigint; oldest: Date | null }[]>`
        SELECT count(*) AS failures, min(created_at) AS oldest
          FROM login_failures WHERE email = ${attempt.email} AND created_at > ${since}
        UNION ALL
        SELECT count(*), min(created_at)
          FROM login_failures WHERE client_address = ${attempt.clientAddress} AND created_at > ${since}`;
      let retryAfterSeconds = 1;
      for (const row of rows) {
        if (Number(row.failures) < limits.maxFailures || !row.oldest) continue;
        // Nothing is written while blocked, so the count drops below the limit as soon as the
        // oldest counted attempt leaves the window.
        const freedAt = row.oldest.getTime() + limits.windowMinutes * 60_000;
        retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((freedAt - now.getTime()) / 1000));
      }
      return { allowed: false, retryAfterSeconds } as const;
    },
    // Reservations for one account queue on its lock; each holds it for a few milliseconds.
    { maxWait: 30_000, timeout: 30_000 },
  );
}

/** Rows older than the window never count again; trimming after a failure keeps the table small. */
export async function forgetExpiredLoginFailures(db: Database, limits: LoginLimits, now = new Date()): Promise<void> {
  await db.loginFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - limits.windowMinutes * 60_000) } } });
}

/** A correct password proves the account holder; their account's count starts again. */
export async function clearAccountFailures(db: Database, email: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { email } });
}

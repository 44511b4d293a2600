import "server-only";

import type { Database } from "@/lib/db/client";

/**
 * Limits failed sign-ins per account and per client address over a sliding window. Counts live in
 * PostgreSQL so every app instance sees the same numbers.
 */
export interface LoginLimits {
  maxFailures: number;
  windowMinutes: number;
}

export type LoginAllowance = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export async function checkLoginAllowance(
  db: Database,
  limits: LoginLimits,
  attempt: { email: string; clientAddress: string },
  now = new Date(),
): Promise<LoginAllowance> {
  const since = new Date(now.getTime() - limits.windowMinutes * 60_000);
  const rows = await db.$queryRaw<{ scope: string; failures: bigint; oldest: Date | null }[]>`
    SELECT 'account' AS scope, count(*) AS failures, min(created_at) AS oldest
      FROM login_failures WHERE email = ${attempt.email} AND created_at > ${since}
    UNION ALL
    SELECT 'client', count(*), min(created_at)
      FROM login_failures WHERE client_address = ${attempt.clientAddress} AND created_at > ${since}`;
  let retryAfterSeconds = 0;
  for (const row of rows) {
    if (Number(row.failures) < limits.maxFailures || !row.oldest) continue;
    // Failures are not recorded while blocked, so the count drops below the limit as soon as the
    // oldest counted failure leaves the window.
    const freedAt = row.oldest.getTime() + limits.windowMinutes * 60_000;
    retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((freedAt - now.getTime()) / 1000));
  }
  return retryAfterSeconds > 0 ? { allowed: false, retryAfterSeconds } : { allowed: true };
}

export async function recordLoginFailure(
  db: Database,
  limits: LoginLimits,
  attempt: { email: string; clientAddress: string },
): Promise<void> {
  await db.loginFailure.create({ data: { email: attempt.email, clientAddress: attempt.clientAddress } });
  // Rows older than the window never count again; trimming here keeps the table small.
  await db.loginFailure.deleteMany({
    where: { createdAt: { lt: new Date(Date.now() - limits.windowMinutes * 60_000) } },
  });
}

/** A correct password proves the account holder; their account's count starts again. */
export async function clearAccountFailures(db: Database, email: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { email } });
}

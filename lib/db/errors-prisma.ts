/**
 * True when a write failed on the given constraint kind: Prisma's own code, or PostgreSQL's
 * SQLSTATE / the driver adapter's kind somewhere in the cause chain (the adapter wraps the
 * driver's error, which may itself wrap another).
 */
function failedOn(error: unknown, codes: { prisma: string; postgres: string; adapterKind: string }): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === codes.prisma || code === codes.postgres) return true;
    const adapterError = (current as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } })
      .meta?.driverAdapterError?.cause;
    if (adapterError?.originalCode === codes.postgres || adapterError?.kind === codes.adapterKind) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** True when a write failed on a unique constraint (Prisma's P2002, or PostgreSQL's 23505 underneath). */
export function isUniqueViolation(error: unknown): boolean {
  return failedOn(error, { prisma: "P2002", postgres: "23505", adapterKind: "UniqueConstraintViolation" });
}

/** True when a write failed on a foreign key (Prisma's P2003, or PostgreSQL's 23503 underneath). */
export function isForeignKeyViolation(error: unknown): boolean {
  return failedOn(error, { prisma: "P2003", postgres: "23503", adapterKind: "ForeignKeyConstraintViolation" });
}

/**
 * True when a statement was cancelled: by statement_timeout (inPoolTransaction's limits) or by a
 * cancel request (PostgreSQL's 57014). Prisma reports its own transaction timeout differently.
 */
export function isStatementTimeout(error: unknown): boolean {
  return failedOn(error, { prisma: "57014", postgres: "57014", adapterKind: "QueryCanceled" });
}

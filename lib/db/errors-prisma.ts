/** True when a write failed on a unique constraint (Prisma's P2002, or PostgreSQL's 23505 underneath). */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === "P2002" || code === "23505") return true;
    const adapterError = (current as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } })
      .meta?.driverAdapterError?.cause;
    if (adapterError?.originalCode === "23505" || adapterError?.kind === "UniqueConstraintViolation") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** True when a write failed on a foreign key (Prisma's P2003, or PostgreSQL's 23503 underneath). */
export function isForeignKeyViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === "P2003" || code === "23503") return true;
    const adapterError = (current as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } })
      .meta?.driverAdapterError?.cause;
    if (adapterError?.originalCode === "23503" || adapterError?.kind === "ForeignKeyConstraintViolation") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

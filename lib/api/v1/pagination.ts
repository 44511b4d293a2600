import { z } from "zod";

/**
 * Cursor pagination: a page ends with `nextCursor`, an opaque position the next request passes as
 * `cursor`. Positions are keys of the sort order (never offsets), so rows created or deleted while
 * a client pages through do not shift or repeat the rows it has not read yet.
 */

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export const limitField = z.coerce
  .number({ error: `Choose a limit from 1 to ${MAX_PAGE_LIMIT}` })
  .int(`Choose a limit from 1 to ${MAX_PAGE_LIMIT}`)
  .min(1, `Choose a limit from 1 to ${MAX_PAGE_LIMIT}`)
  .max(MAX_PAGE_LIMIT, `Choose a limit from 1 to ${MAX_PAGE_LIMIT}`)
  .default(DEFAULT_PAGE_LIMIT)
  .meta({ description: `Rows per page, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})` });

export function encodePosition(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

export function decodePosition(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(cursor)) return null;
  return Buffer.from(cursor, "base64url").toString("utf8");
}

/**
 * What a UUID looks like, for ids that arrive as text (a path segment, a search, an audit entry's
 * entity id) and must be checked before PostgreSQL's uuid cast, which would fail the statement.
 * Browser-safe.
 */
export const UUID_SOURCE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

const UUID = new RegExp(`^${UUID_SOURCE}$`, "i");

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

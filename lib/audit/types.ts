/** What the audit log records and shows: plain data, safe for client components. */

/** Every kind of thing a change can be made to. */
export const AUDIT_ENTITY_TYPES = ["route", "routes", "queue", "skill", "language", "domain", "webhook", "test_message", "api_key"] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

type CatalogueKind = "queue" | "skill" | "language";

/** Every change the log records, `<entity>.<verb>`: a new kind of change is added here first. */
export type AuditAction =
  | "domain.register"
  | "domain.restart_verification"
  | "domain.delete"
  | "domain.dkim_rotate"
  | "domain.dkim_switch"
  | "domain.dkim_discard"
  | "domain.dkim_retire"
  | "domain.share_link_create"
  | "domain.share_link_revoke"
  | "route.create"
  | "route.update"
  | "route.delete"
  | "routes.import"
  | `${CatalogueKind}.${"create" | "update" | "rename" | "delete"}`
  | "webhook.create"
  | "webhook.update"
  | "webhook.enable"
  | "webhook.disable"
  | "webhook.rotate_secret"
  | "webhook.delete"
  | "test_message.send"
  | "api_key.create"
  | "api_key.revoke"
  | "configuration.apply";

export interface AuditLogEntry {
  id: string;
  createdAt: string;
  actorEmail: string;
  action: string;
  entityType: string;
  entityId: string | null;
  entityLabel: string;
  before: unknown;
  after: unknown;
  /** Where the changed object is today; null once it is gone (or for a change with no one page). */
  href: string | null;
}

export interface AuditLogPage {
  entries: AuditLogEntry[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** What a routes.import entry records after the import. */
export interface RouteImportRecord {
  created: number;
  rows: number;
  /** Routes created per domain. */
  domains: { name: string; count: number }[];
  /** The addresses created (the first AUDIT_IMPORT_ADDRESSES of them). */
  addresses: string[];
}

/** How many of an import's addresses its audit entry keeps. */
export const AUDIT_IMPORT_ADDRESSES = 1000;

/**
 * Reads a routes.import entry's `after`, whichever shape it was written in (entries written before
 * addresses were kept have none; the domains were once an object keyed by name).
 */
export function readRouteImport(after: unknown): RouteImportRecord | null {
  if (after === null || typeof after !== "object" || Array.isArray(after)) return null;
  const value = after as Record<string, unknown>;
  const number = (input: unknown) => (typeof input === "number" && Number.isFinite(input) ? input : 0);
  const domains = Array.isArray(value.domains)
    ? value.domains.flatMap((item: unknown) => {
        const domain = item as { name?: unknown; count?: unknown } | null;
        return domain && typeof domain.name === "string" ? [{ name: domain.name, count: number(domain.count) }] : [];
      })
    : value.domains && typeof value.domains === "object"
      ? Object.entries(value.domains as Record<string, unknown>).map(([name, count]) => ({ name, count: number(count) }))
      : [];
  const addresses = Array.isArray(value.addresses) ? value.addresses.filter((item): item is string => typeof item === "string") : [];
  return { created: number(value.created), rows: number(value.rows), domains, addresses };
}

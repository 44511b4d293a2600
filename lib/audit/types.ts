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
}

export interface AuditLogPage {
  entries: AuditLogEntry[];
  total: number;
  page: number;
  pageCount: number;
}

import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

import { AUDIT_ENTITY_TYPES, type AuditEntityType } from "./types";

export const AUDIT_ENTITY_LABELS: Record<AuditEntityType, string> = {
  route: "Routes",
  routes: "Route imports",
  queue: "Queues",
  skill: "Skills",
  language: "Languages",
  domain: "Domains",
  webhook: "Webhooks",
  test_message: "Test messages",
  api_key: "API keys",
};

const text = (max: number) =>
  plainText()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((value) => value || undefined);

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
  .optional()
  .catch(undefined);

/** Filters of the audit log page (query string); anything malformed is ignored, not an error. */
export const auditQuerySchema = z.object({
  entity: z.enum(AUDIT_ENTITY_TYPES).optional().catch(undefined),
  action: text(60),
  actor: text(254),
  from: day,
  to: day,
  q: text(200),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;

/** The filters the page offers (the URL's parameters besides the page). */
export const AUDIT_FILTER_KEYS = ["entity", "action", "actor", "from", "to", "q"] as const satisfies readonly (keyof AuditQuery)[];

export const AUDIT_PAGE_SIZE = 50;
/** The most entries one CSV export holds (newest first). */
export const AUDIT_EXPORT_LIMIT = 10_000;

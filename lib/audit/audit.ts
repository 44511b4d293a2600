import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import type { Database, Prisma } from "@/lib/db/client";
import { Prisma as Sql } from "@/lib/db/generated/client";

import type { AuditAction, AuditEntityType } from "./types";

/**
 * The audit log: every change to domains, routes, queues and catalogues records who, when, what,
 * and the values before and after. Call `recordAudit` with the transaction client of the change
 * itself, so a change never exists without its entry (and a rolled-back change leaves none).
 */

export interface AuditEvent {
  /** `<entity>.<verb>`, e.g. route.create, queue.rename, domain.delete, routes.import */
  action: AuditAction;
  entityType: AuditEntityType;
  entityId?: string | null;
  /** What an admin recognises: the address, the domain, the queue's name. */
  entityLabel: string;
  before?: unknown;
  after?: unknown;
}

type Writer = Pick<Database, "auditEntry"> | Prisma.TransactionClient;

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  // Dates and other non-JSON values become their JSON forms.
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

/** Who an entry names: a signed-in user, or the console itself for what it does on a schedule. */
export type AuditActor = Pick<Actor, "organizationId" | "email"> & { userId: string | null };

/** The console acting on its own (e.g. retiring a replaced DKIM key once its period is over). */
export const AUTOMATIC_ACTOR_LABEL = "Console (automatic)";

export function automaticActor(organizationId: string): AuditActor {
  return { organizationId, userId: null, email: AUTOMATIC_ACTOR_LABEL };
}

export async function recordAudit(db: Writer, actor: AuditActor, event: AuditEvent): Promise<void> {
  await db.auditEntry.create({
    data: {
      organizationId: actor.organizationId,
      actorId: actor.userId,
      actorEmail: actor.email,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId ?? null,
      entityLabel: event.entityLabel.slice(0, 400),
      before: toJson(event.before),
      after: toJson(event.after),
    },
  });
}

/**
 * recordAudit's row as an INSERT, for a change that writes itself and its entry in one statement
 * (a data-modifying WITH clause); the same columns and values as recordAudit. With `forEachRowOf`
 * (the name of a WITH clause) the entry is written once per row it returns, so a write that did not
 * happen leaves no entry.
 */
export function auditInsertSql(actor: AuditActor, event: AuditEvent, forEachRowOf?: Prisma.Sql): Prisma.Sql {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  return Sql.sql`INSERT INTO audit_entries (organization_id, actor_id, actor_email, action, entity_type, entity_id, entity_label, before, after)
    SELECT ${actor.organizationId}::uuid, ${actor.userId}::uuid, ${actor.email}::text, ${event.action}::text, ${event.entityType}::text,
           ${event.entityId ?? null}::text, ${event.entityLabel.slice(0, 400)}::text, ${json(event.before)}::jsonb, ${json(event.after)}::jsonb
    ${forEachRowOf ? Sql.sql`FROM ${forEachRowOf}` : Sql.empty}`;
}

import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import type { Database, Prisma } from "@/lib/db/client";

/**
 * The audit log: every change to domains, routes, queues and catalogues records who, when, what,
 * and the values before and after. Call `recordAudit` with the transaction client of the change
 * itself, so a change never exists without its entry (and a rolled-back change leaves none).
 */
export type AuditEntityType = "domain" | "route" | "queue" | "skill" | "language" | "routes" | "webhook" | "test_message" | "api_key";

export interface AuditEvent {
  /** `<entity>.<verb>`, e.g. route.create, queue.rename, domain.delete, routes.import */
  action: string;
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

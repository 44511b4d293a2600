import "server-only";

import { recordAudit, type AuditActor } from "@/lib/audit/audit";
import type { AuditAction } from "@/lib/audit/types";
import type { Prisma } from "@/lib/db/client";

/**
 * The audit entry of a change to one domain (its registration, deletion, verification, DKIM keys),
 * written with the change's own transaction client so the two commit or roll back together.
 */
export function auditDomainChange(
  tx: Prisma.TransactionClient,
  actor: AuditActor,
  domain: { id: string; displayName: string },
  change: { action: Extract<AuditAction, `domain.${string}`>; before?: unknown; after?: unknown },
): Promise<void> {
  return recordAudit(tx, actor, { ...change, entityType: "domain", entityId: domain.id, entityLabel: domain.displayName });
}

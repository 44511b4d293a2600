import "server-only";

import type { z } from "zod";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";

import { auditDomainChange } from "../audit";
import { unregisterDomain } from "../registration";
import type { deleteDomainSchema } from "../schemas";

/**
 * "Delete domain": the admin typed its name; its records, checks and keys go with it, and its
 * routes too when they said so. One transaction with its audit entry.
 */
export async function deleteDomain(
  db: Database,
  actor: AuditActor,
  input: z.output<typeof deleteDomainSchema>,
): Promise<{ id: string; name: string; routesDeleted: number }> {
  const deleted = await db.$transaction(async (tx) => {
    const removed = await unregisterDomain(tx, actor.organizationId, input);
    await auditDomainChange(tx, actor, removed, {
      action: "domain.delete",
      before: { name: removed.name, kind: removed.kind, scenario: removed.scenario, status: removed.status, routes: removed.routeCount },
    });
    return removed;
  });
  return { id: deleted.id, name: deleted.displayName, routesDeleted: deleted.routeCount };
}

import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Database, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation } from "@/lib/db/errors-prisma";
import { ConflictError } from "@/lib/errors";

import { getRoute } from "../queries";
import { routeSnapshot, staleRouteError, TRANSACTION_OPTIONS } from "../rules";
import type { ChangeActor, RouteRow } from "../types";

async function assertNotReplyRoute(tx: Prisma.TransactionClient, organizationId: string, row: RouteRow): Promise<void> {
  const where = { organizationId, replyRouteId: row.id };
  const dependants = await tx.route.findMany({ where, orderBy: { address: "asc" }, take: 10, include: { domain: { select: { displayName: true } } } });
  if (dependants.length === 0) return;
  const total = dependants.length < 10 ? dependants.length : await tx.route.count({ where });
  const names = dependants.map((route) => `${route.pattern}@${route.domain.displayName}`);
  const more = total > names.length ? ` and ${total - names.length} more` : "";
  throw new ConflictError(
    `${row.address} cannot be deleted: replies of ${total} ${total === 1 ? "route" : "routes"} come from it (${names.join(", ")}${more}). Change ${total === 1 ? "that route" : "those routes"} first.`,
  );
}

/**
 * Deletes a route no other route replies from, with its audit entry. `expectedVersion` (the
 * Automation API's If-Match) deletes only that version, else StaleVersionError.
 */
export async function deleteRoute(db: Database, actor: ChangeActor, id: string, expectedVersion?: number): Promise<RouteRow> {
  const { organizationId } = actor;
  try {
    return await db.$transaction(async (tx) => {
      const row = await getRoute(tx, organizationId, id);
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw await staleRouteError(tx, organizationId, id);
      await assertNotReplyRoute(tx, organizationId, row);
      const deleted = await tx.route.deleteMany({ where: { id, organizationId, ...(expectedVersion !== undefined ? { version: expectedVersion } : {}) } });
      if (deleted.count !== 1) throw await staleRouteError(tx, organizationId, id);
      await recordAudit(tx, actor, { action: "route.delete", entityType: "route", entityId: row.id, entityLabel: row.address, before: routeSnapshot(row) });
      return row;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    // Another admin pointed a route's replies at this one between our check and the delete.
    if (isForeignKeyViolation(error)) {
      throw new ConflictError("Another route started using this address for its replies just now; nothing was deleted. Reload and try again.");
    }
    throw error;
  }
}

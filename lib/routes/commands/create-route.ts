import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";

import { getRoute } from "../queries";
import { assertRoomForRoute, checkRouteReferences, lockDomainRoutes, routeData, routeSnapshot, routeWriteError, TRANSACTION_OPTIONS } from "../rules";
import type { RouteValues } from "../schemas";
import type { ChangeActor, RouteLimits, RouteRow } from "../types";

/**
 * A new route, with its audit entry in the same transaction. The unique index on (domain_id,
 * pattern_key) decides between two admins creating the same address at the same moment; the loser
 * gets a field error on the address.
 */
export async function createRoute(db: Database, actor: ChangeActor, values: RouteValues, limits: RouteLimits): Promise<RouteRow> {
  const { organizationId } = actor;
  let domainName = "";
  try {
    return await db.$transaction(async (tx) => {
      const domain = await checkRouteReferences(tx, organizationId, values);
      domainName = domain.displayName;
      await lockDomainRoutes(tx, [domain.id]);
      await assertRoomForRoute(tx, organizationId, domain, limits);
      const created = await tx.route.create({
        data: {
          organizationId,
          ...routeData(values, domain),
          skills: { createMany: { data: values.skillIds.map((skillId) => ({ skillId })) } },
        },
        select: { id: true },
      });
      const row = await getRoute(tx, organizationId, created.id);
      await recordAudit(tx, actor, { action: "route.create", entityType: "route", entityId: row.id, entityLabel: row.address, after: routeSnapshot(row) });
      return row;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    throw routeWriteError(error, values.pattern, domainName);
  }
}

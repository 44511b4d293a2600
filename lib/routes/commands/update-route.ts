import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

import { getRoute, loadRouteRows } from "../queries";
import { assertRoomForRoute, checkRouteReferences, lockDomainRoutes, routeData, routeSnapshot, routeWriteError, staleRouteError, TRANSACTION_OPTIONS } from "../rules";
import type { RouteValues } from "../schemas";
import type { ChangeActor, RouteLimits, RouteRow } from "../types";


/**
 * Saves a route edited from `version`. A save based on an older version is refused with the route
 * as it is now and who changed it last, so the form can show what changed.
 */
export async function updateRoute(
  db: Database,
  actor: ChangeActor,
  input: RouteValues & { id: string; version: number },
  limits: RouteLimits,
): Promise<RouteRow> {
  const { organizationId } = actor;
  let domainName = "";
  try {
    return await db.$transaction(async (tx) => {
      const [before] = await loadRouteRows(tx, organizationId, [input.id]);
      if (!before) throw new NotFoundError("This route does not exist any more; someone may have deleted it.");
      if (before.version !== input.version) throw await staleRouteError(tx, organizationId, input.id);
      const { domain } = await checkRouteReferences(tx, organizationId, input, input.id);
      domainName = domain.displayName;
      if (domain.id !== before.domainId) {
        await lockDomainRoutes(tx, [domain.id]);
        await assertRoomForRoute(tx, organizationId, domain, limits);
      }
      // The version in the WHERE clause makes "check, then write" one step: of two saves based on
      // the same version, the second waits for the first's row lock, then matches nothing.
      const updated = await tx.route.updateMany({
        where: { id: input.id, organizationId, version: input.version },
        data: { ...routeData(input, domain), version: { increment: 1 } },
      });
      if (updated.count !== 1) throw await staleRouteError(tx, organizationId, input.id);
      const sameSkills =
        before.skillIds.length === input.skillIds.length && input.skillIds.every((skillId) => before.skillIds.includes(skillId));
      if (!sameSkills) {
        await tx.routeSkill.deleteMany({ where: { routeId: input.id, route: { organizationId } } });
        await tx.routeSkill.createMany({ data: input.skillIds.map((skillId) => ({ routeId: input.id, skillId })) });
      }
      const after = await getRoute(tx, organizationId, input.id);
      await recordAudit(tx, actor, {
        action: "route.update",
        entityType: "route",
        entityId: after.id,
        entityLabel: after.address,
        before: routeSnapshot(before),
        after: routeSnapshot(after),
      });
      return after;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    throw routeWriteError(error, input.pattern, domainName);
  }
}

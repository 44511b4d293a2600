import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { NotFoundError, ValidationError } from "@/lib/errors";

import { mergeRouteEdit, routeValuesOf } from "../merge";
import { getRoute, loadRouteRows } from "../queries";
import { checkRouteReferences, lockRoomForRoute, routeData, routeSnapshot, routeWriteError, staleRouteError, TRANSACTION_OPTIONS } from "../rules";
import { crossFieldProblems, type RouteValues } from "../schemas";
import type { ChangeActor, RouteLimits, RouteRow } from "../types";


/**
 * Saves a route edited from `version`. A save based on an older version is merged with what was
 * saved since when it carries the values it was based on (`base`): fields only one admin changed
 * are kept, and only fields both changed differently refuse the save, with the route as it is now,
 * who changed it last and those fields (docs/decisions/022-field-level-merge.md). Without a base it
 * is refused as a whole.
 */
export async function updateRoute(
  db: Database,
  actor: ChangeActor,
  input: RouteValues & { id: string; version: number; base?: RouteValues },
  limits: RouteLimits,
): Promise<RouteRow> {
  const { organizationId } = actor;
  let domainName = "";
  let pattern = input.pattern;
  try {
    return await db.$transaction(async (tx) => {
      // Saves of one route queue up here, so a merge always starts from the latest version.
      await tx.$queryRaw`SELECT 1 AS locked FROM routes WHERE id = ${input.id}::uuid AND organization_id = ${organizationId}::uuid FOR UPDATE`;
      const [before] = await loadRouteRows(tx, organizationId, [input.id]);
      if (!before) throw new NotFoundError("This route does not exist any more; someone may have deleted it.");
      let values: RouteValues = input;
      let version = input.version;
      if (before.version !== input.version) {
        if (!input.base) throw await staleRouteError(tx, organizationId, input.id);
        const { merged, conflicts } = mergeRouteEdit(input.base, routeValuesOf(before), input);
        if (conflicts.length > 0) throw await staleRouteError(tx, organizationId, input.id, conflicts);
        values = merged;
        version = before.version;
        pattern = merged.pattern;
        // Each side was valid alone; together they may not be (their reply route, my From email).
        const problems = crossFieldProblems(merged);
        if (problems.length > 0) {
          throw new ValidationError(
            "Your change and the one saved since do not fit together; nothing was saved. Reload the route and make your change again.",
            Object.fromEntries(problems.map((problem) => [problem.field, [problem.message]])),
          );
        }
      }
      const { domain } = await checkRouteReferences(tx, organizationId, values, input.id);
      domainName = domain.displayName;
      if (domain.id !== before.domainId) {
        await lockRoomForRoute(tx, organizationId, domain, limits);
      }
      // The version in the WHERE clause makes "check, then write" one step: of two saves based on
      // the same version, the second waits for the first's row lock, then matches nothing.
      const updated = await tx.route.updateMany({
        where: { id: input.id, organizationId, version },
        data: { ...routeData(values, domain), version: { increment: 1 } },
      });
      if (updated.count !== 1) throw await staleRouteError(tx, organizationId, input.id);
      const sameSkills =
        before.skillIds.length === values.skillIds.length && values.skillIds.every((skillId) => before.skillIds.includes(skillId));
      if (!sameSkills) {
        await tx.routeSkill.deleteMany({ where: { routeId: input.id, route: { organizationId } } });
        await tx.routeSkill.createMany({ data: values.skillIds.map((skillId) => ({ routeId: input.id, skillId })) });
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
    throw routeWriteError(error, pattern, domainName);
  }
}

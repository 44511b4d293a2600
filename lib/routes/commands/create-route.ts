import "server-only";

import { randomUUID } from "node:crypto";

import { auditInsertSql } from "@/lib/audit/audit";
import type { Database, Prisma } from "@/lib/db/client";

import { addressKey } from "../address";
import { assertRoomForRoute, checkRouteReferences, lockDomainRoutes, routeSnapshot, routeWriteError, TRANSACTION_OPTIONS, type KnownDomain, type ReferenceNames } from "../rules";
import type { RouteValues } from "../schemas";
import { routeStatusFor } from "../status";
import type { ChangeActor, RouteLimits, RouteRow } from "../types";

/** The route a create writes, as the console shows it: everything is known before the write. */
function newRouteRow(id: string, values: RouteValues, domain: KnownDomain, names: ReferenceNames, updatedAt: Date): RouteRow {
  return {
    id,
    version: 1,
    domainId: domain.id,
    domainName: domain.displayName,
    domainStatus: domain.status,
    status: routeStatusFor(domain.status),
    pattern: values.pattern,
    address: `${values.pattern}@${domain.displayName}`,
    queueId: values.queueId,
    queueName: names.queues.get(values.queueId) ?? "",
    priority: values.priority,
    skillIds: names.skills.map((skill) => skill.id),
    skillNames: names.skills.map((skill) => skill.name),
    languageId: values.languageId,
    languageName: values.languageId ? (names.languages.get(values.languageId) ?? null) : null,
    fromName: values.fromName,
    fromEmail: values.fromEmail,
    replyRouteId: values.replyRouteId,
    replyAddress: values.replyRouteId ? (names.replies.get(values.replyRouteId) ?? null) : null,
    autoBcc: values.autoBcc,
    historyInclusion: values.historyInclusion,
    allowMultipleActions: values.allowMultipleActions,
    spamQueueId: values.spamQueueId,
    spamQueueName: values.spamQueueId ? (names.queues.get(values.spamQueueId) ?? null) : null,
    updatedAt: updatedAt.toISOString(),
  };
}

/**
 * A new route, with its audit entry in the same transaction. The unique index on (domain_id,
 * pattern_key) decides between two admins creating the same address at the same moment; the loser
 * gets a field error on the address.
 *
 * Five round trips: the references (one statement), the domain's lock, its count, then the route,
 * its skills and its audit entry written by one statement (bench/routes.ts, docs/routes.md).
 */
export async function createRoute(db: Database, actor: ChangeActor, values: RouteValues, limits: RouteLimits): Promise<RouteRow> {
  const domainName = { value: "" };
  try {
    return await db.$transaction((tx) => insertRoute(tx, actor, values, limits, domainName), TRANSACTION_OPTIONS);
  } catch (error) {
    throw routeWriteError(error, values.pattern, domainName.value);
  }
}

/**
 * The create inside a caller's transaction (the set-up wizard creates a queue and its first route
 * as one change). The caller maps a refused write with routeWriteError; `domainName` receives the
 * domain's name for that message.
 */
export async function insertRoute(
  tx: Prisma.TransactionClient,
  actor: ChangeActor,
  values: RouteValues,
  limits: RouteLimits,
  domainName: { value: string } = { value: "" },
): Promise<RouteRow> {
  const { organizationId } = actor;
  const { domain, names } = await checkRouteReferences(tx, organizationId, values);
  domainName.value = domain.displayName;
  await lockDomainRoutes(tx, [domain.id]);
  await assertRoomForRoute(tx, organizationId, domain, limits);
  const id = randomUUID();
  const updatedAt = new Date();
  const row = newRouteRow(id, values, domain, names, updatedAt);
  const audit = auditInsertSql(actor, { action: "route.create", entityType: "route", entityId: id, entityLabel: row.address, after: routeSnapshot(row) });
  await tx.$executeRaw`
    WITH route AS (
      INSERT INTO routes (id, organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id, from_name, from_email,
                          reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions, spam_queue_id, updated_at)
      VALUES (${id}::uuid, ${organizationId}::uuid, ${domain.id}::uuid, ${values.pattern}, ${values.pattern.toLowerCase()},
              ${addressKey(values.pattern, domain.name)}, ${values.queueId}::uuid, ${values.priority}, ${values.languageId}::uuid, ${values.fromName},
              ${values.fromEmail}, ${values.replyRouteId}::uuid, ${values.autoBcc}::text[], ${values.historyInclusion}::history_inclusion,
              ${values.allowMultipleActions}, ${values.spamQueueId}::uuid, ${updatedAt}::timestamptz)
      RETURNING id
    ),
    skills AS (INSERT INTO route_skills (route_id, skill_id) SELECT route.id, skill FROM route, unnest(${values.skillIds}::uuid[]) AS skill),
    audit AS (${audit})
    SELECT 1`;
  return row;
}

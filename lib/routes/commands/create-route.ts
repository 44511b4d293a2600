import "server-only";

import { randomUUID } from "node:crypto";

import { auditInsertSql } from "@/lib/audit/audit";
import { queryRaw, type DbClient } from "@/lib/db/client";
import { Prisma as Sql } from "@/lib/db/generated/client";
import { LimitError } from "@/lib/errors";

import { addressKey } from "../address";
import { checkRouteReferences, routeLimitMessage, routeSnapshot, routeWriteError, type KnownDomain, type ReferenceNames } from "../rules";
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
 * A new route, with its skills and its audit entry, in one statement. The unique index on
 * (domain_id, pattern_key) decides between two admins creating the same address at the same
 * moment; the loser gets a field error on the address.
 *
 * Two round trips and no interactive transaction: the references (one statement), then one
 * statement that takes the domain's lock, counts its routes (lock_and_count_domain_routes,
 * migration 20261201020000) and writes the route, its skills and its audit entry. Outside a
 * caller's transaction it commits as it ends, so the lock is held for the database's own time,
 * not across round trips (decision 026). `db` may be a caller's transaction (the Automation API's
 * apply): everything then happens inside it.
 */
export async function createRoute(db: DbClient, actor: ChangeActor, values: RouteValues, limits: RouteLimits): Promise<RouteRow> {
  const domainName = { value: "" };
  try {
    return await insertRoute(db, actor, values, limits, domainName);
  } catch (error) {
    throw routeWriteError(error, values.pattern, domainName.value);
  }
}

/**
 * The create without the mapping of its refusals, for a caller's transaction (the set-up wizard
 * creates a queue and its first route as one change). The caller maps a refused write with
 * routeWriteError; `domainName` receives the domain's name for that message.
 */
export async function insertRoute(
  db: DbClient,
  actor: ChangeActor,
  values: RouteValues,
  limits: RouteLimits,
  domainName: { value: string } = { value: "" },
): Promise<RouteRow> {
  const { organizationId } = actor;
  const { domain, names } = await checkRouteReferences(db, organizationId, values);
  domainName.value = domain.displayName;
  const id = randomUUID();
  const updatedAt = new Date();
  const row = newRouteRow(id, values, domain, names, updatedAt);
  const audit = auditInsertSql(
    actor,
    { action: "route.create", entityType: "route", entityId: id, entityLabel: row.address, after: routeSnapshot(row) },
    Sql.sql`route`,
  );
  const max = limits.maxRoutesPerDomain;
  // Parameters in a SELECT list get no type from the target column: each carries its cast.
  const [result] = await queryRaw<{ counted: number }>(
    db,
    Sql.sql`/* prepared */
    WITH room AS MATERIALIZED (SELECT lock_and_count_domain_routes(${organizationId}::uuid, ${domain.id}::uuid, ${max}::int) AS counted),
    route AS (
      INSERT INTO routes (id, organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id, from_name, from_email,
                          reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions, spam_queue_id, updated_at)
      SELECT ${id}::uuid, ${organizationId}::uuid, ${domain.id}::uuid, ${values.pattern}::text, ${values.pattern.toLowerCase()}::text,
             ${addressKey(values.pattern, domain.name)}::text, ${values.queueId}::uuid, ${values.priority}::int, ${values.languageId}::uuid,
             ${values.fromName}::text, ${values.fromEmail}::text, ${values.replyRouteId}::uuid, ${values.autoBcc}::text[],
             ${values.historyInclusion}::history_inclusion, ${values.allowMultipleActions}::boolean, ${values.spamQueueId}::uuid, ${updatedAt}::timestamptz
        FROM room WHERE room.counted < ${max}::int
      RETURNING id
    ),
    skills AS (INSERT INTO route_skills (route_id, skill_id) SELECT route.id, skill FROM route, unnest(${values.skillIds}::uuid[]) AS skill),
    audit AS (${audit})
    SELECT counted FROM room`,
  );
  if ((result?.counted ?? 0) >= max) throw new LimitError(routeLimitMessage(domain.displayName, max));
  return row;
}

import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Actor } from "@/lib/auth/gate";
import type { Database, DbClient, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, LimitError, NotFoundError, StaleVersionError, ValidationError, type FieldErrors } from "@/lib/errors";

import { addressKey, checkEmailAddress } from "./address";
import type { HistoryInclusion, RouteStatus, RouteValues } from "./route-schemas";
import { isDomainVerified, routeStatusFor, type DomainStatusName } from "./route-status";

/**
 * Routes of one organisation: an address (local part on a domain) delivered into a queue. Every
 * query is scoped by the organisation id from the session; every change records its audit entry
 * in the same transaction.
 */

/** Who is changing something: the audit entry names them. */
export type ChangeActor = Pick<Actor, "organizationId" | "userId" | "email">;

export interface RouteLimits {
  maxRoutesPerDomain: number;
}

/** A route as the console shows and edits it (safe to send to a browser). */
export interface RouteRow {
  id: string;
  version: number;
  domainId: string;
  /** The domain as admins read it (Unicode for internationalised names). */
  domainName: string;
  domainStatus: DomainStatusName;
  status: RouteStatus;
  pattern: string;
  /** pattern@domain, for display. */
  address: string;
  queueId: string;
  queueName: string;
  priority: number;
  skillIds: string[];
  skillNames: string[];
  languageId: string | null;
  languageName: string | null;
  fromName: string;
  fromEmail: string | null;
  replyRouteId: string | null;
  replyAddress: string | null;
  autoBcc: string[];
  historyInclusion: HistoryInclusion;
  allowMultipleActions: boolean;
  spamQueueId: string | null;
  spamQueueName: string | null;
  updatedAt: string;
}

/** What the audit log keeps of a route: names an admin recognises, not ids. */
export function routeSnapshot(row: RouteRow) {
  return {
    address: row.address,
    queue: row.queueName,
    priority: row.priority,
    skills: row.skillNames,
    language: row.languageName,
    fromName: row.fromName,
    fromEmail: row.fromEmail,
    replyEmailAddress: row.replyAddress,
    autoBcc: row.autoBcc,
    historyInclusion: row.historyInclusion,
    allowMultipleActions: row.allowMultipleActions,
    spamQueue: row.spamQueueName,
  };
}

interface RouteRecord {
  id: string;
  version: number;
  domain_id: string;
  domain_name: string;
  domain_status: DomainStatusName;
  pattern: string;
  queue_id: string;
  queue_name: string;
  priority: number;
  skills: { id: string; name: string }[] | null;
  language_id: string | null;
  language_name: string | null;
  from_name: string;
  from_email: string | null;
  reply_route_id: string | null;
  reply_address: string | null;
  auto_bcc: string[] | null;
  history_inclusion: HistoryInclusion;
  allow_multiple_actions: boolean;
  spam_queue_id: string | null;
  spam_queue_name: string | null;
  updated_at: Date;
}

/**
 * Full rows for the given ids, in the order given (ids of other organisations are skipped). One
 * query with joins: the list loads a page of these on every request.
 */
export async function loadRouteRows(db: DbClient, organizationId: string, ids: readonly string[]): Promise<RouteRow[]> {
  if (ids.length === 0) return [];
  const records = await db.$queryRaw<RouteRecord[]>`
    SELECT r.id, r.version, r.domain_id, d.display_name AS domain_name, d.status::text AS domain_status, r.pattern,
           r.queue_id, q.name AS queue_name, r.priority,
           (SELECT json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY s.name_key)
              FROM route_skills rs JOIN skills s ON s.id = rs.skill_id WHERE rs.route_id = r.id) AS skills,
           r.language_id, l.name AS language_name, r.from_name, r.from_email, r.reply_route_id,
           CASE WHEN rr.id IS NULL THEN NULL ELSE rr.pattern || '@' || rd.display_name END AS reply_address,
           r.auto_bcc, r.history_inclusion::text AS history_inclusion, r.allow_multiple_actions,
           r.spam_queue_id, sq.name AS spam_queue_name, r.updated_at
      FROM routes r
      JOIN domains d ON d.id = r.domain_id
      JOIN queues q ON q.id = r.queue_id
      LEFT JOIN languages l ON l.id = r.language_id
      LEFT JOIN queues sq ON sq.id = r.spam_queue_id
      LEFT JOIN routes rr ON rr.id = r.reply_route_id
      LEFT JOIN domains rd ON rd.id = rr.domain_id
     WHERE r.organization_id = ${organizationId}::uuid AND r.id = ANY(${[...ids]}::uuid[])`;
  const byId = new Map(
    records.map((record): [string, RouteRow] => {
      const skills = record.skills ?? [];
      return [
        record.id,
        {
          id: record.id,
          version: record.version,
          domainId: record.domain_id,
          domainName: record.domain_name,
          domainStatus: record.domain_status,
          status: routeStatusFor(record.domain_status),
          pattern: record.pattern,
          address: `${record.pattern}@${record.domain_name}`,
          queueId: record.queue_id,
          queueName: record.queue_name,
          priority: record.priority,
          skillIds: skills.map((skill) => skill.id),
          skillNames: skills.map((skill) => skill.name),
          languageId: record.language_id,
          languageName: record.language_name,
          fromName: record.from_name,
          fromEmail: record.from_email,
          replyRouteId: record.reply_route_id,
          replyAddress: record.reply_address,
          autoBcc: record.auto_bcc ?? [],
          historyInclusion: record.history_inclusion,
          allowMultipleActions: record.allow_multiple_actions,
          spamQueueId: record.spam_queue_id,
          spamQueueName: record.spam_queue_name,
          updatedAt: record.updated_at.toISOString(),
        },
      ];
    }),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getRoute(db: DbClient, organizationId: string, id: string): Promise<RouteRow> {
  const [row] = await loadRouteRows(db, organizationId, [id]);
  if (!row) throw new NotFoundError("This route does not exist any more; someone may have deleted it.");
  return row;
}

/** A domain's routes in address order, for the wizard's "Addresses" step and the domain pages. */
export async function listDomainRoutes(db: DbClient, organizationId: string, domainId: string, options: { limit?: number } = {}): Promise<RouteRow[]> {
  const routes = await db.route.findMany({
    where: { organizationId, domainId },
    select: { id: true },
    orderBy: { patternKey: "asc" },
    take: options.limit ?? 500,
  });
  return loadRouteRows(db, organizationId, routes.map((route) => route.id));
}

export function countDomainRoutes(db: DbClient, organizationId: string, domainId: string): Promise<number> {
  return db.route.count({ where: { organizationId, domainId } });
}

// ---------------------------------------------------------------------------------------------
// Checks that need the database.

/**
 * Routes of one domain are created one at a time, so the per-domain limit holds under concurrent
 * creates (two admins, or an import beside a create). Transaction-scoped: released on commit.
 */
const ROUTE_LOCK_CLASS = 0x524f5554; // "ROUT"

export async function lockDomainRoutes(tx: Prisma.TransactionClient, domainIds: readonly string[]): Promise<void> {
  // Always in the same order, so two transactions locking several domains cannot deadlock.
  for (const domainId of [...new Set(domainIds)].sort()) {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ROUTE_LOCK_CLASS}::int, hashtext(${domainId}))`;
  }
}

export function routeLimitMessage(domainName: string, max: number): string {
  return `${domainName} already has ${max.toLocaleString("en")} routes, the most a domain may have. Delete routes you no longer use, or ask your operator to raise MAX_ROUTES_PER_DOMAIN.`;
}

async function assertRoomForRoute(
  tx: Prisma.TransactionClient,
  organizationId: string,
  domain: { id: string; displayName: string },
  limits: RouteLimits,
): Promise<void> {
  // Counting stops at the limit: a domain far beyond it costs no more than one at it.
  const count = await tx.route.count({ where: { organizationId, domainId: domain.id }, take: limits.maxRoutesPerDomain });
  if (count >= limits.maxRoutesPerDomain) throw new LimitError(routeLimitMessage(domain.displayName, limits.maxRoutesPerDomain));
}

async function findOwnDomain(tx: Prisma.TransactionClient, organizationId: string, domainId: string) {
  const domain = await tx.domain.findFirst({
    where: { id: domainId, organizationId },
    select: { id: true, name: true, displayName: true, status: true },
  });
  if (!domain) {
    throw new ValidationError("Some fields need attention; nothing was saved.", {
      domainId: ["This domain does not exist any more; choose another"],
    });
  }
  return domain;
}

/** Every reference a route makes must be the organisation's own; all problems are reported at once. */
async function assertReferences(tx: Prisma.TransactionClient, organizationId: string, values: RouteValues, selfId?: string): Promise<void> {
  const errors: FieldErrors = {};
  const queueIds = [values.queueId, ...(values.spamQueueId ? [values.spamQueueId] : [])];
  const queues = await tx.queue.findMany({ where: { organizationId, id: { in: queueIds } }, select: { id: true } });
  const foundQueues = new Set(queues.map((queue) => queue.id));
  if (!foundQueues.has(values.queueId)) errors.queueId = ["This queue does not exist any more; choose another"];
  if (values.spamQueueId && !foundQueues.has(values.spamQueueId)) errors.spamQueueId = ["This queue does not exist any more; choose another"];

  if (values.skillIds.length > 0) {
    const found = await tx.skill.count({ where: { organizationId, id: { in: values.skillIds } } });
    if (found !== values.skillIds.length) errors.skillIds = ["A chosen skill does not exist any more; choose again"];
  }
  if (values.languageId) {
    const language = await tx.language.findFirst({ where: { organizationId, id: values.languageId }, select: { id: true } });
    if (!language) errors.languageId = ["This language does not exist any more; choose another"];
  }
  if (values.fromEmail) {
    const checked = checkEmailAddress(values.fromEmail);
    const domain = checked.ok
      ? await tx.domain.findFirst({ where: { organizationId, name: checked.domain }, select: { displayName: true, status: true } })
      : null;
    if (!domain) {
      errors.fromEmail = ["Use an address on one of your organisation's verified domains"];
    } else if (!isDomainVerified(domain.status)) {
      errors.fromEmail = [`${domain.displayName} is not verified yet; replies can only come from a verified domain`];
    }
  }
  if (values.replyRouteId) {
    if (values.replyRouteId === selfId) {
      errors.replyRouteId = ["Replies already come from this route's own address; choose another route or leave this empty"];
    } else {
      const reply = await tx.route.findFirst({ where: { organizationId, id: values.replyRouteId }, select: { id: true } });
      if (!reply) errors.replyRouteId = ["This route does not exist any more; choose another"];
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError("Some fields need attention; nothing was saved.", errors);
}

function duplicatePattern(pattern: string, domainName: string): ConflictError {
  const message = `${pattern}@${domainName} already has a route`;
  return new ConflictError(`${message}. Edit that route, or choose another address.`, { pattern: [message] });
}

/** A queue, skill, language or reply route was deleted between our check and the write. */
function catalogueGone(): ValidationError {
  return new ValidationError("Something this route refers to (a queue, skill, language or reply route) was deleted just now; nothing was saved. Choose again.");
}

function routeData(values: RouteValues, domain: { id: string; name: string }) {
  return {
    domainId: domain.id,
    pattern: values.pattern,
    patternKey: values.pattern.toLowerCase(),
    address: addressKey(values.pattern, domain.name),
    queueId: values.queueId,
    priority: values.priority,
    languageId: values.languageId,
    fromName: values.fromName,
    fromEmail: values.fromEmail,
    replyRouteId: values.replyRouteId,
    autoBcc: values.autoBcc,
    historyInclusion: values.historyInclusion,
    allowMultipleActions: values.allowMultipleActions,
    spamQueueId: values.spamQueueId,
  };
}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

// ---------------------------------------------------------------------------------------------
// Changes.

export async function createRoute(db: Database, actor: ChangeActor, values: RouteValues, limits: RouteLimits): Promise<RouteRow> {
  const { organizationId } = actor;
  let domainName = "";
  try {
    return await db.$transaction(async (tx) => {
      const domain = await findOwnDomain(tx, organizationId, values.domainId);
      domainName = domain.displayName;
      await assertReferences(tx, organizationId, values);
      await lockDomainRoutes(tx, [domain.id]);
      await assertRoomForRoute(tx, organizationId, domain, limits);
      // The unique index on (domain_id, pattern_key) decides between two admins creating the same
      // address at the same moment; the loser gets the error below on the address field.
      const created = await tx.route.create({
        data: {
          organizationId,
          ...routeData(values, domain),
          skills: { createMany: { data: values.skillIds.map((skillId) => ({ skillId })) } },
        },
        select: { id: true },
      });
      const row = await getRoute(tx, organizationId, created.id);
      await recordAudit(tx, actor, {
        action: "route.create",
        entityType: "route",
        entityId: row.id,
        entityLabel: row.address,
        after: routeSnapshot(row),
      });
      return row;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicatePattern(values.pattern, domainName);
    if (isForeignKeyViolation(error)) throw catalogueGone();
    throw error;
  }
}

/** What a refused stale save sends back, so the admin sees what changed and by whom. */
export interface StaleRoute {
  route: RouteRow;
  changedBy: string | null;
}

async function staleRouteError(tx: DbClient, organizationId: string, id: string): Promise<StaleVersionError | NotFoundError> {
  const [current] = await loadRouteRows(tx, organizationId, [id]);
  if (!current) return new NotFoundError("This route was deleted while you were editing it; nothing was saved.");
  const lastChange = await tx.auditEntry.findFirst({
    where: { organizationId, entityType: "route", entityId: id },
    orderBy: { id: "desc" },
    select: { actorEmail: true },
  });
  const stale: StaleRoute = { route: current, changedBy: lastChange?.actorEmail ?? null };
  return new StaleVersionError("Someone else changed this route after you opened it; nothing was saved.", stale);
}

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
      const domain = await findOwnDomain(tx, organizationId, input.domainId);
      domainName = domain.displayName;
      await assertReferences(tx, organizationId, input, input.id);
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
    if (isUniqueViolation(error)) throw duplicatePattern(input.pattern, domainName);
    if (isForeignKeyViolation(error)) throw catalogueGone();
    throw error;
  }
}

/** `expectedVersion` (the Automation API's If-Match): deletes only that version, else StaleVersionError. */
export async function deleteRoute(db: Database, actor: ChangeActor, id: string, expectedVersion?: number): Promise<RouteRow> {
  const { organizationId } = actor;
  try {
    return await db.$transaction(async (tx) => {
      const row = await getRoute(tx, organizationId, id);
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw await staleRouteError(tx, organizationId, id);
      await assertNotReplyRoute(tx, organizationId, row);
      const deleted = await tx.route.deleteMany({ where: { id, organizationId, ...(expectedVersion !== undefined ? { version: expectedVersion } : {}) } });
      if (deleted.count !== 1) throw await staleRouteError(tx, organizationId, id);
      await recordAudit(tx, actor, {
        action: "route.delete",
        entityType: "route",
        entityId: row.id,
        entityLabel: row.address,
        before: routeSnapshot(row),
      });
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

import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import { getDb, type DbClient } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { escapeLike } from "@/lib/db/like";
import { NotFoundError } from "@/lib/errors";
import { countRecentMessages } from "@/lib/messages/queries";
import { listCatalogueEntries } from "@/lib/queues/queries";

import type { HistoryInclusion, ListRoutesQuery } from "./schemas";
import { DOMAIN_STATUSES_FOR, routeStatusFor, type DomainStatusName } from "./status";
import type { RouteListPage, RouteLookups, RoutePage, RouteRow } from "./types";

/**
 * What the routes pages and route handlers read. Every query is scoped by the organisation id
 * from the checked session.
 *
 * The list is server-paginated: an organisation may hold 100,000 routes. One query finds the
 * page's ids in index order (migration 20261123030000 has an index per sort and filter), a second
 * loads just those rows with the one route query below (which the export reads too); the
 * catalogues a search matches are resolved first, they are small.
 */

/** A route with the names of what it refers to, as the route query returns it. */
export interface RouteRecord {
  id: string;
  version: number;
  domain_id: string;
  domain_name: string;
  domain_status: DomainStatusName;
  pattern: string;
  /** The lower-cased address (the export's keyset). */
  address_key: string;
  queue_id: string;
  queue_name: string;
  priority: number;
  /** Skill ids and names, in name order (null without skills). */
  skill_ids: string[] | null;
  skill_names: string[] | null;
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
 * The one route query: every column a route row shows, with its domain, queue, skills, language,
 * spam queue and reply address, for the routes `where` selects (`tail` orders and limits).
 */
export function selectRouteRecords(db: DbClient, where: Prisma.Sql, tail: Prisma.Sql = Prisma.empty): Promise<RouteRecord[]> {
  return db.$queryRaw<RouteRecord[]>`
    SELECT r.id, r.version, r.domain_id, d.display_name AS domain_name, d.status::text AS domain_status, r.pattern, r.address AS address_key,
           r.queue_id, q.name AS queue_name, r.priority, sk.skill_ids, sk.skill_names,
           r.language_id, l.name AS language_name, r.from_name, r.from_email, r.reply_route_id,
           CASE WHEN rr.id IS NULL THEN NULL ELSE rr.pattern || '@' || rd.display_name END AS reply_address,
           r.auto_bcc, r.history_inclusion::text AS history_inclusion, r.allow_multiple_actions,
           r.spam_queue_id, sq.name AS spam_queue_name, r.updated_at
      FROM routes r
      JOIN domains d ON d.id = r.domain_id
      JOIN queues q ON q.id = r.queue_id
      LEFT JOIN LATERAL (
        SELECT array_agg(s.id::text ORDER BY s.name_key) AS skill_ids, array_agg(s.name ORDER BY s.name_key) AS skill_names
          FROM route_skills rs JOIN skills s ON s.id = rs.skill_id
         WHERE rs.route_id = r.id
      ) sk ON true
      LEFT JOIN languages l ON l.id = r.language_id
      LEFT JOIN queues sq ON sq.id = r.spam_queue_id
      LEFT JOIN routes rr ON rr.id = r.reply_route_id
      LEFT JOIN domains rd ON rd.id = rr.domain_id
     WHERE ${where}
     ${tail}`;
}

export function toRouteRow(record: RouteRecord): RouteRow {
  return {
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
    skillIds: record.skill_ids ?? [],
    skillNames: record.skill_names ?? [],
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
  };
}

/** Full rows for the given ids, in the order given (ids of other organisations are skipped). */
export async function loadRouteRows(db: DbClient, organizationId: string, ids: readonly string[]): Promise<RouteRow[]> {
  if (ids.length === 0) return [];
  const records = await selectRouteRecords(db, Prisma.sql`r.organization_id = ${organizationId}::uuid AND r.id = ANY(${[...ids]}::uuid[])`);
  const byId = new Map(records.map((record) => [record.id, toRouteRow(record)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getRoute(db: DbClient, organizationId: string, id: string): Promise<RouteRow> {
  const [row] = await loadRouteRows(db, organizationId, [id]);
  if (!row) throw new NotFoundError("This route does not exist any more; someone may have deleted it.");
  return row;
}

/** A domain's routes in address order, for the wizard's "Addresses" step and the domain pages. */
export async function listDomainRoutes(db: DbClient, organizationId: string, domainId: string, options: { limit?: number } = {}): Promise<RouteRow[]> {
  const records = await selectRouteRecords(
    db,
    Prisma.sql`r.organization_id = ${organizationId}::uuid AND r.domain_id = ${domainId}::uuid`,
    Prisma.sql`ORDER BY r.pattern_key LIMIT ${options.limit ?? 500}`,
  );
  return records.map(toRouteRow);
}

export function countDomainRoutes(db: DbClient, organizationId: string, domainId: string): Promise<number> {
  return db.route.count({ where: { organizationId, domainId } });
}

// ---------------------------------------------------------------------------------------------
// The routes list.

interface Plan {
  where: Prisma.Sql;
  orderBy: Prisma.Sql;
}

async function plan(db: DbClient, organizationId: string, query: ListRoutesQuery): Promise<Plan | null> {
  const conditions: Prisma.Sql[] = [Prisma.sql`r.organization_id = ${organizationId}::uuid`];
  if (query.domain) conditions.push(Prisma.sql`r.domain_id = ${query.domain}::uuid`);
  if (query.queue) conditions.push(Prisma.sql`r.queue_id = ${query.queue}::uuid`);
  const needsDomains = Boolean(query.status);
  const needsCatalogues = Boolean(query.q) || query.sort === "queue";
  // The small tables a plan may need, read at once rather than one after another.
  const [domains, queues, skills] = await Promise.all([
    needsDomains && query.status
      ? db.domain.findMany({ where: { organizationId, status: { in: DOMAIN_STATUSES_FOR[query.status] } }, select: { id: true } })
      : [],
    needsCatalogues ? db.queue.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: { id: true, nameKey: true } }) : [],
    query.q ? db.skill.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }) : [],
  ]);
  if (query.status) {
    if (domains.length === 0) return null;
    conditions.push(Prisma.sql`r.domain_id = ANY(${domains.map((domain) => domain.id)}::uuid[])`);
  }
  if (query.q) {
    const needle = query.q.toLowerCase();
    const pattern = `%${escapeLike(needle)}%`;
    // Catalogues are small: match names here, where % and _ are just characters.
    const matchingQueues = queues.filter((queue) => queue.nameKey.includes(needle));
    const matchingSkills = skills.filter((skill) => skill.nameKey.includes(needle));
    const alternatives = [Prisma.sql`r.address LIKE ${pattern}`];
    if (matchingQueues.length > 0) alternatives.push(Prisma.sql`r.queue_id = ANY(${matchingQueues.map((queue) => queue.id)}::uuid[])`);
    if (matchingSkills.length > 0) {
      alternatives.push(
        Prisma.sql`r.id IN (SELECT rs.route_id FROM route_skills rs WHERE rs.skill_id = ANY(${matchingSkills.map((skill) => skill.id)}::uuid[]))`,
      );
    }
    conditions.push(alternatives.length === 1 ? alternatives[0]! : Prisma.sql`(${Prisma.join(alternatives, " OR ")})`);
  }

  const dir = Prisma.raw(query.dir === "desc" ? "DESC" : "ASC");
  let orderBy: Prisma.Sql;
  switch (query.sort) {
    case "priority":
      orderBy = Prisma.sql`r.priority ${dir}, r.address ${dir}`;
      break;
    case "updated":
      orderBy = Prisma.sql`r.updated_at ${dir}, r.id ${dir}`;
      break;
    case "queue":
      // Queue names live in a small table: sort by their position in name order, no join needed.
      orderBy = Prisma.sql`array_position(${queues.map((queue) => queue.id)}::uuid[], r.queue_id) ${dir}, r.address ${dir}`;
      break;
    default:
      orderBy = Prisma.sql`r.address ${dir}`;
  }
  return { where: Prisma.join(conditions, " AND "), orderBy };
}

export async function listRoutes(db: DbClient, organizationId: string, query: ListRoutesQuery): Promise<RoutePage> {
  const pageSize = query.size;
  const empty: RoutePage = { rows: [], total: 0, page: 1, pageSize, pageCount: 1 };
  const planned = await plan(db, organizationId, query);
  if (!planned) return empty;
  const pageIds = (page: number) =>
    db.$queryRaw<{ id: string }[]>`
      SELECT r.id FROM routes r WHERE ${planned.where}
       ORDER BY ${planned.orderBy}
       LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`;
  const [counted, firstTry] = await Promise.all([
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM routes r WHERE ${planned.where}`,
    pageIds(query.page),
  ]);
  const total = counted[0]?.total ?? 0;
  if (total === 0) return empty;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  // A page past the end (routes were deleted, or a stale link) shows the last page instead.
  const page = Math.min(query.page, pageCount);
  const ids = page === query.page ? firstTry : await pageIds(page);
  const rows = await loadRouteRows(db, organizationId, ids.map((row) => row.id));
  return { rows, total, page, pageSize, pageCount };
}

/** A page of the list with each route's messages of the last 7 days: what GET /api/routes answers. */
export async function listRoutesWithMessages(actor: Pick<Actor, "organizationId">, query: ListRoutesQuery, db: DbClient = getDb()): Promise<RouteListPage> {
  const page = await listRoutes(db, actor.organizationId, query);
  const recentMessages = await countRecentMessages(actor, "route", page.rows.map((route) => route.id), db);
  return { ...page, recentMessages };
}

/** What the route form and the list's filters choose from. */
export async function routeLookups(organizationId: string, db: DbClient = getDb()): Promise<RouteLookups> {
  const [domains, queues, skills, languages] = await Promise.all([
    db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: { id: true, displayName: true, status: true } }),
    listCatalogueEntries(db, organizationId, "queue"),
    listCatalogueEntries(db, organizationId, "skill"),
    listCatalogueEntries(db, organizationId, "language"),
  ]);
  return {
    domains: domains.map((domain) => ({ id: domain.id, name: domain.displayName, status: domain.status })),
    queues: queues.map(({ id, name }) => ({ id, name })),
    skills: skills.map(({ id, name }) => ({ id, name })),
    languages: languages.map(({ id, name }) => ({ id, name })),
  };
}

/** The /routes page: the lookups and the first page of the list, read together. */
export async function routesPageView(actor: Pick<Actor, "organizationId">, query: ListRoutesQuery, db: DbClient = getDb()) {
  const [lookups, page] = await Promise.all([routeLookups(actor.organizationId, db), listRoutesWithMessages(actor, query, db)]);
  return { lookups, page };
}

/** The name export files carry: the domain's, or the organisation's when every domain is exported. */
export async function exportScopeName(organizationId: string, domainId: string | undefined, fallback: string, db: DbClient = getDb()): Promise<string> {
  if (!domainId) return fallback;
  const domain = await db.domain.findFirst({ where: { id: domainId, organizationId }, select: { name: true } });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return domain.name;
}

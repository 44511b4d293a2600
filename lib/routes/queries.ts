import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import { getDb, queryRaw, type DbClient } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { escapeLike } from "@/lib/db/like";
import { NotFoundError } from "@/lib/errors";
import { recentMessagesCountSql } from "@/lib/messages/queries";
import { pageCountOf } from "@/lib/paging";

import type { HistoryInclusion, ListRoutesQuery } from "./schemas";
import { DOMAIN_STATUSES_FOR, routeStatusFor, type DomainStatusName } from "./status";
import type { RouteListPage, RouteLookups, RoutePage, RouteRow, RouteRowsPage } from "./types";

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
 * The columns of a route row, with the names of what it refers to. The domain and the queue every
 * route has are joins (ROUTE_JOINS); what a route may refer to (language, spam queue, reply route)
 * are scalar subqueries: each is one index probe per row, and they keep the join tree at four
 * relations. With all of them as joins the planner spent more time choosing a join order than
 * the page took to read (EXPLAIN ANALYZE: planning 2× execution at 100,000 routes).
 */
const ROUTE_COLUMNS = Prisma.sql`
    r.id, r.version, r.domain_id, d.display_name AS domain_name, d.status::text AS domain_status, r.pattern, r.address AS address_key,
    r.queue_id, q.name AS queue_name, r.priority, sk.skill_ids, sk.skill_names,
    r.language_id, (SELECT l.name FROM languages l WHERE l.id = r.language_id) AS language_name, r.from_name, r.from_email, r.reply_route_id,
    (SELECT rr.pattern || '@' || rd.display_name FROM routes rr JOIN domains rd ON rd.id = rr.domain_id WHERE rr.id = r.reply_route_id) AS reply_address,
    r.auto_bcc, r.history_inclusion::text AS history_inclusion, r.allow_multiple_actions,
    r.spam_queue_id, (SELECT sq.name FROM queues sq WHERE sq.id = r.spam_queue_id) AS spam_queue_name, r.updated_at`;

const ROUTE_JOINS = Prisma.sql`
      JOIN domains d ON d.id = r.domain_id
      JOIN queues q ON q.id = r.queue_id
      LEFT JOIN LATERAL (
        SELECT array_agg(s.id::text ORDER BY s.name_key) AS skill_ids, array_agg(s.name ORDER BY s.name_key) AS skill_names
          FROM route_skills rs JOIN skills s ON s.id = rs.skill_id
         WHERE rs.route_id = r.id
      ) sk ON true`;

/**
 * The one route query: every column a route row shows, with its domain, queue, skills, language,
 * spam queue and reply address, for the routes `where` selects (`tail` orders and limits). The
 * list reads the same columns and joins (listRoutes).
 */
export function selectRouteRecords(db: DbClient, where: Prisma.Sql, tail: Prisma.Sql = Prisma.empty): Promise<RouteRecord[]> {
  return db.$queryRaw<RouteRecord[]>`SELECT ${ROUTE_COLUMNS} FROM routes r ${ROUTE_JOINS} WHERE ${where} ${tail}`;
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

/** Domains with a given route status, as an SQL array the planner evaluates once. */
const DOMAIN_STATUS_SQL = (organizationId: string, statuses: readonly DomainStatusName[]) =>
  Prisma.sql`ARRAY(SELECT id FROM domains WHERE organization_id = ${organizationId}::uuid AND status::text = ANY(${[...statuses]}::text[]))`;

/**
 * The WHERE and ORDER BY of a list query. A search matches addresses (the trigram index) and the
 * names of queues and skills: those are small tables, matched first in one statement (strpos keeps
 * % and _ literal), so that the search itself is a union of index scans. The domains of a status
 * and the queue order are read by the list statement itself (ARRAY(SELECT …) runs once, first).
 */
/** Also the Automation API's keyset pages (lib/api/v1/resources/routes.ts). */
export async function plan(db: DbClient, organizationId: string, query: ListRoutesQuery): Promise<{ where: Prisma.Sql; orderBy: Prisma.Sql }> {
  const org = Prisma.sql`${organizationId}::uuid`;
  const conditions: Prisma.Sql[] = [Prisma.sql`r.organization_id = ${org}`];
  if (query.domain) conditions.push(Prisma.sql`r.domain_id = ${query.domain}::uuid`);
  if (query.queue) conditions.push(Prisma.sql`r.queue_id = ${query.queue}::uuid`);
  if (query.status) conditions.push(Prisma.sql`r.domain_id = ANY(${DOMAIN_STATUS_SQL(organizationId, DOMAIN_STATUSES_FOR[query.status])})`);
  if (query.q) {
    const needle = query.q.toLowerCase();
    const [matched] = await queryRaw<{ queue_ids: string[] | null; skill_ids: string[] | null }>(db, Prisma.sql`
      SELECT (SELECT array_agg(id::text) FROM queues WHERE organization_id = ${org} AND strpos(name_key, ${needle}) > 0) AS queue_ids,
             (SELECT array_agg(id::text) FROM skills WHERE organization_id = ${org} AND strpos(name_key, ${needle}) > 0) AS skill_ids`);
    const alternatives = [Prisma.sql`r.address LIKE ${`%${escapeLike(needle)}%`}`];
    if (matched?.queue_ids) alternatives.push(Prisma.sql`r.queue_id = ANY(${matched.queue_ids}::uuid[])`);
    if (matched?.skill_ids) {
      alternatives.push(Prisma.sql`r.id IN (SELECT rs.route_id FROM route_skills rs WHERE rs.skill_id = ANY(${matched.skill_ids}::uuid[]))`);
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
      orderBy = Prisma.sql`array_position(ARRAY(SELECT id FROM queues WHERE organization_id = ${org} ORDER BY name_key), r.queue_id) ${dir}, r.address ${dir}`;
      break;
    default:
      orderBy = Prisma.sql`r.address ${dir}`;
  }
  return { where: Prisma.join(conditions, " AND "), orderBy };
}

type ListRecord = { n: number; recent_messages: number | null } & RouteRecord;

/**
 * One page of the list: its ids in index order (an index per sort and filter, each ending in the
 * sort columns and id, so deep pages skip rows in the index), then those rows with their names and,
 * optionally, their messages of the last 7 days. The total is counted by a statement of its own,
 * on another connection at the same time: counting 100,000 routes takes several times longer than
 * reading fifty of them, so the rows do not wait for it (the /routes page shows them while the
 * count runs). A page past the end (routes were deleted, or a stale link) reads the last page
 * instead, once the count says which that is. The two statements may see different moments: a route
 * created between them shows in one and not the other.
 */
async function readRowsFirst(db: DbClient, organizationId: string, query: ListRoutesQuery, withMessages: boolean): Promise<{ page: RouteRowsPage; total: Promise<number> }> {
  const { where, orderBy } = await plan(db, organizationId, query);
  const pageSize = query.size;
  const total = queryRaw<{ total: number }>(db, Prisma.sql`SELECT count(*)::int AS total FROM routes r WHERE ${where}`).then(([row]) => row?.total ?? 0);
  total.catch(() => undefined); // awaited by the caller; not an unhandled rejection if reading the rows fails first
  const read = (page: number) =>
    queryRaw<ListRecord>(db, Prisma.sql`
      WITH page AS MATERIALIZED (
        SELECT p.id, row_number() OVER () AS n FROM (SELECT r.id FROM routes r WHERE ${where} ORDER BY ${orderBy} LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}) p
      )
      SELECT p.n, ${ROUTE_COLUMNS}, ${withMessages ? recentMessagesCountSql("route", Prisma.sql`r.id`) : Prisma.sql`NULL::int`} AS recent_messages
        FROM page p JOIN routes r ON r.id = p.id ${ROUTE_JOINS}
       ORDER BY p.n`);
  let page = query.page;
  let records = await read(page);
  if (records.length === 0 && page > 1) {
    page = pageCountOf(await total, pageSize);
    if (page !== query.page) records = await read(page);
  }
  const rows = records.map((record) => toRouteRow(record));
  const result: RouteRowsPage = { rows, page, pageSize };
  if (withMessages) result.recentMessages = Object.fromEntries(records.flatMap((record) => (record.recent_messages ? [[record.id, record.recent_messages]] : [])));
  return { page: result, total };
}

async function readPage(db: DbClient, organizationId: string, query: ListRoutesQuery, withMessages: boolean): Promise<RouteListPage> {
  const { page, total } = await readRowsFirst(db, organizationId, query, withMessages);
  const counted = await total;
  return { ...page, total: counted, pageCount: pageCountOf(counted, page.pageSize) };
}

export async function listRoutes(db: DbClient, organizationId: string, query: ListRoutesQuery): Promise<RoutePage> {
  return readPage(db, organizationId, query, false);
}

/** A page of the list with each route's messages of the last 7 days: what GET /api/routes answers. */
export function listRoutesWithMessages(actor: Pick<Actor, "organizationId">, query: ListRoutesQuery, db: DbClient = getDb()): Promise<RouteListPage> {
  return readPage(db, actor.organizationId, query, true);
}

/** What the route form and the list's filters choose from: four small tables, read in one statement. */
export async function routeLookups(organizationId: string, db: DbClient = getDb()): Promise<RouteLookups> {
  const org = Prisma.sql`${organizationId}::uuid`;
  const options = (table: string) =>
    Prisma.sql`(SELECT coalesce(json_agg(json_build_object('id', id, 'name', name) ORDER BY name_key), '[]') FROM ${Prisma.raw(table)} WHERE organization_id = ${org})`;
  const [lookups] = await queryRaw<RouteLookups>(db, Prisma.sql`
    SELECT (SELECT coalesce(json_agg(json_build_object('id', id, 'name', display_name, 'status', status) ORDER BY name), '[]')
              FROM domains WHERE organization_id = ${org}) AS domains,
           ${options("queues")} AS queues, ${options("skills")} AS skills, ${options("languages")} AS languages`);
  return lookups ?? { domains: [], queues: [], skills: [], languages: [] };
}

/**
 * The /routes page: the lookups and a page of the list, read together, and the list's total as a
 * promise: the page renders its rows while the total is still being counted.
 */
export async function routesPageView(actor: Pick<Actor, "organizationId">, query: ListRoutesQuery, db: DbClient = getDb()) {
  const [lookups, { page, total }] = await Promise.all([routeLookups(actor.organizationId, db), readRowsFirst(db, actor.organizationId, query, true)]);
  return { lookups, page, total };
}

/** The name export files carry: the domain's, or the organisation's when every domain is exported. */
export async function exportScopeName(organizationId: string, domainId: string | undefined, fallback: string, db: DbClient = getDb()): Promise<string> {
  if (!domainId) return fallback;
  const domain = await db.domain.findFirst({ where: { id: domainId, organizationId }, select: { name: true } });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return domain.name;
}

import "server-only";

import type { DbClient } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";

import type { ListRoutesQuery } from "./route-schemas";
import { DOMAIN_STATUSES_FOR } from "./route-status";
import { loadRouteRows, type RouteRow } from "./routes";

/**
 * The routes list, server-paginated: an organisation may hold 100,000 routes. One query finds the
 * page's ids in index order (migration 20261123030000 has an index per sort and filter), a second
 * loads just those rows; the catalogues a search matches are resolved first, they are small.
 */

export interface RoutePage {
  rows: RouteRow[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** LIKE treats % and _ as wildcards; a search for "first_line" means the underscore itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export interface Plan {
  where: Prisma.Sql;
  orderBy: Prisma.Sql;
}

/** The list's filters as SQL (null: nothing can match); also the Automation API's keyset pages. */
export async function plan(db: DbClient, organizationId: string, query: ListRoutesQuery): Promise<Plan | null> {
  const conditions: Prisma.Sql[] = [Prisma.sql`r.organization_id = ${organizationId}::uuid`];
  if (query.domain) conditions.push(Prisma.sql`r.domain_id = ${query.domain}::uuid`);
  if (query.queue) conditions.push(Prisma.sql`r.queue_id = ${query.queue}::uuid`);
  if (query.status) {
    const domains = await db.domain.findMany({
      where: { organizationId, status: { in: DOMAIN_STATUSES_FOR[query.status] } },
      select: { id: true },
    });
    if (domains.length === 0) return null;
    conditions.push(Prisma.sql`r.domain_id = ANY(${domains.map((domain) => domain.id)}::uuid[])`);
  }
  if (query.q) {
    const needle = query.q.toLowerCase();
    const pattern = `%${escapeLike(needle)}%`;
    // Catalogues are small: match names here, where % and _ are just characters.
    const [allQueues, allSkills] = await Promise.all([
      db.queue.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }),
      db.skill.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }),
    ]);
    const queues = allQueues.filter((queue) => queue.nameKey.includes(needle));
    const skills = allSkills.filter((skill) => skill.nameKey.includes(needle));
    const alternatives = [Prisma.sql`r.address LIKE ${pattern}`];
    if (queues.length > 0) alternatives.push(Prisma.sql`r.queue_id = ANY(${queues.map((queue) => queue.id)}::uuid[])`);
    if (skills.length > 0) {
      alternatives.push(
        Prisma.sql`r.id IN (SELECT rs.route_id FROM route_skills rs WHERE rs.skill_id = ANY(${skills.map((skill) => skill.id)}::uuid[]))`,
      );
    }
    conditions.push(Prisma.sql`(${Prisma.join(alternatives, " OR ")})`);
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
    case "queue": {
      // Queue names live in a small table: sort by their position in name order, no join needed.
      const queues = await db.queue.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: { id: true } });
      orderBy = Prisma.sql`array_position(${queues.map((queue) => queue.id)}::uuid[], r.queue_id) ${dir}, r.address ${dir}`;
      break;
    }
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

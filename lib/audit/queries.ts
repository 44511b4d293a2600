import "server-only";

import { getDb, type DbClient, type Prisma } from "@/lib/db/client";
import { pageCountOf } from "@/lib/paging";
import { toCsvLine, toCsvLines } from "@/lib/routes/csv";
import { isUuid } from "@/lib/validation/uuid";

import { AUDIT_ENTITY_LABELS, AUDIT_EXPORT_LIMIT, AUDIT_PAGE_SIZE, type AuditQuery } from "./schemas";
import { readRouteImport, type AuditEntityType, type AuditLogEntry, type AuditLogPage } from "./types";

/** Reading the audit log: one organisation's entries, newest first, filtered and paginated. */

/** Prisma's `contains` passes % and _ through to LIKE as wildcards; searches mean them literally. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function whereFor(organizationId: string, query: AuditQuery): Prisma.AuditEntryWhereInput {
  const where: Prisma.AuditEntryWhereInput = { organizationId };
  if (query.entity) where.entityType = query.entity;
  if (query.action) where.action = query.action;
  if (query.actor) where.actorEmail = { contains: literal(query.actor), mode: "insensitive" };
  if (query.from || query.to) {
    where.createdAt = {
      ...(query.from ? { gte: new Date(`${query.from}T00:00:00.000Z`) } : {}),
      // "to" is the whole day.
      ...(query.to ? { lt: new Date(Date.parse(`${query.to}T00:00:00.000Z`) + 86_400_000) } : {}),
    };
  }
  if (query.q) {
    const text = literal(query.q);
    where.OR = [
      { entityLabel: { contains: text, mode: "insensitive" } },
      { actorEmail: { contains: text, mode: "insensitive" } },
      { action: { contains: text, mode: "insensitive" } },
    ];
  }
  return where;
}

/** Pages that list every object of a kind, for kinds without a page of their own. */
const KIND_PAGES: Partial<Record<AuditEntityType, string>> = {
  queue: "/queues",
  skill: "/queues?tab=skills",
  language: "/queues?tab=languages",
  webhook: "/notifications",
  api_key: "/settings/api-keys",
  routes: "/routes",
};

type EntryRow = { entityType: string; entityId: string | null };

/**
 * Where each entry's object can be seen now: a route in the routes list (searched by its address),
 * a domain on its page, a catalogue entry or webhook on its page. Only objects that still exist
 * are linked; a deleted one has nowhere to go.
 */
async function linksFor(db: DbClient, organizationId: string, rows: EntryRow[]): Promise<(string | null)[]> {
  const idsOf = (type: string) => [...new Set(rows.filter((row) => row.entityType === type && row.entityId && isUuid(row.entityId)).map((row) => row.entityId!))];
  const [routes, domains, queues, skills, languages, webhooks, apiKeys] = await Promise.all([
    db.route.findMany({ where: { organizationId, id: { in: idsOf("route") } }, select: { id: true, address: true } }),
    db.domain.findMany({ where: { organizationId, id: { in: idsOf("domain") } }, select: { id: true, name: true } }),
    db.queue.findMany({ where: { organizationId, id: { in: idsOf("queue") } }, select: { id: true } }),
    db.skill.findMany({ where: { organizationId, id: { in: idsOf("skill") } }, select: { id: true } }),
    db.language.findMany({ where: { organizationId, id: { in: idsOf("language") } }, select: { id: true } }),
    db.webhook.findMany({ where: { organizationId, id: { in: idsOf("webhook") } }, select: { id: true } }),
    db.apiKey.findMany({ where: { organizationId, id: { in: idsOf("api_key") } }, select: { id: true } }),
  ]);
  const own = new Map<string, string>([
    ...routes.map((route): [string, string] => [`route:${route.id}`, `/routes?q=${encodeURIComponent(route.address)}`]),
    ...domains.map((domain): [string, string] => [`domain:${domain.id}`, `/domains/${domain.name}`]),
  ]);
  const existing = new Set([
    ...queues.map((row) => `queue:${row.id}`),
    ...skills.map((row) => `skill:${row.id}`),
    ...languages.map((row) => `language:${row.id}`),
    ...webhooks.map((row) => `webhook:${row.id}`),
    ...apiKeys.map((row) => `api_key:${row.id}`),
  ]);
  return rows.map((row) => {
    if (row.entityType === "routes") return KIND_PAGES.routes!;
    const key = `${row.entityType}:${row.entityId}`;
    if (own.has(key)) return own.get(key)!;
    return existing.has(key) ? (KIND_PAGES[row.entityType as AuditEntityType] ?? null) : null;
  });
}

export async function listAuditEntries(organizationId: string, query: AuditQuery, db: DbClient = getDb()): Promise<AuditLogPage> {
  const where = whereFor(organizationId, query);
  const total = await db.auditEntry.count({ where });
  const pageCount = pageCountOf(total, AUDIT_PAGE_SIZE);
  const page = Math.min(query.page, pageCount);
  const rows = await db.auditEntry.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * AUDIT_PAGE_SIZE,
    take: AUDIT_PAGE_SIZE,
  });
  const links = await linksFor(db, organizationId, rows);
  return {
    entries: rows.map(
      (row, index): AuditLogEntry => ({
        id: row.id.toString(),
        createdAt: row.createdAt.toISOString(),
        actorEmail: row.actorEmail,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        entityLabel: row.entityLabel,
        before: row.before,
        after: row.after,
        href: links[index] ?? null,
      }),
    ),
    total,
    page,
    pageSize: AUDIT_PAGE_SIZE,
    pageCount,
  };
}

const CSV_HEADER = ["time_utc", "actor", "action", "type", "subject", "summary", "before", "after"] as const;

function summaryOf(action: string, after: unknown): string {
  if (action !== "routes.import") return "";
  const record = readRouteImport(after);
  if (!record) return "";
  const domains = record.domains.map((domain) => `${domain.name}: ${domain.count}`).join(", ");
  return `${record.created} routes created from ${record.rows} rows${domains ? ` (${domains})` : ""}${record.addresses.length ? `: ${record.addresses.join(" ")}` : ""}`;
}

/**
 * The entries the filters select (every page, newest first, at most AUDIT_EXPORT_LIMIT), as CSV:
 * one line each with the values before and after as JSON. Cells are guarded against formulas.
 */
export async function exportAuditCsv(organizationId: string, query: AuditQuery, db: DbClient = getDb()): Promise<string> {
  const rows = await db.auditEntry.findMany({
    where: whereFor(organizationId, query),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: AUDIT_EXPORT_LIMIT,
  });
  const lines = rows.map((row) => [
    row.createdAt.toISOString(),
    row.actorEmail,
    row.action,
    AUDIT_ENTITY_LABELS[row.entityType as AuditEntityType] ?? row.entityType,
    row.entityLabel,
    summaryOf(row.action, row.after),
    row.before === null ? "" : JSON.stringify(row.before),
    row.after === null ? "" : JSON.stringify(row.after),
  ]);
  return `${toCsvLine(CSV_HEADER)}\n${toCsvLines(lines)}`;
}

/** The actions that occur in this organisation's log, for the filter. */
export async function listAuditActions(organizationId: string, db: DbClient = getDb()): Promise<string[]> {
  const rows = await db.$queryRaw<{ action: string }[]>`
    SELECT DISTINCT action FROM audit_entries WHERE organization_id = ${organizationId}::uuid ORDER BY action`;
  return rows.map((row) => row.action);
}

/** The audit page: a page of entries and the actions to filter by. */
export async function readAuditPage(organizationId: string, query: AuditQuery, db: DbClient = getDb()): Promise<{ log: AuditLogPage; actions: string[] }> {
  const [log, actions] = await Promise.all([listAuditEntries(organizationId, query, db), listAuditActions(organizationId, db)]);
  return { log, actions };
}

import "server-only";

import { getDb, type DbClient, type Prisma } from "@/lib/db/client";

import { AUDIT_PAGE_SIZE, type AuditQuery } from "./schemas";
import type { AuditLogPage } from "./types";

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

export async function listAuditEntries(organizationId: string, query: AuditQuery, db: DbClient = getDb()): Promise<AuditLogPage> {
  const where = whereFor(organizationId, query);
  const total = await db.auditEntry.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const rows = await db.auditEntry.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * AUDIT_PAGE_SIZE,
    take: AUDIT_PAGE_SIZE,
  });
  return {
    entries: rows.map((row) => ({
      id: row.id.toString(),
      createdAt: row.createdAt.toISOString(),
      actorEmail: row.actorEmail,
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      entityLabel: row.entityLabel,
      before: row.before,
      after: row.after,
    })),
    total,
    page,
    pageCount,
  };
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

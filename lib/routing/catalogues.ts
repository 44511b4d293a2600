import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Database, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, NotFoundError, StaleVersionError } from "@/lib/errors";

import { CATALOGUE_NOUNS, type CatalogueKind, type CreateCatalogueInput, type UpdateCatalogueInput } from "./catalogue-schemas";
import type { DbClient } from "@/lib/db/client";

import type { ChangeActor } from "./routes";

/**
 * Queues, skills and languages: organisation catalogues with the same life cycle (create, rename,
 * delete while unused). Every query is scoped by the organisation; every change is audited in its
 * own transaction.
 */

export interface CatalogueEntry {
  id: string;
  name: string;
  /** Queues only; "" for skills and languages. */
  description: string;
  version: number;
}

export interface CatalogueItem extends CatalogueEntry {
  /** Routes that use it (as queue or spam queue, skill, or language). */
  routeCount: number;
}

type Tx = Prisma.TransactionClient;

/** The per-table operations; the three tables differ only in these. */
interface CatalogueStore {
  list(db: DbClient, organizationId: string): Promise<CatalogueEntry[]>;
  find(db: DbClient, organizationId: string, id: string): Promise<CatalogueEntry | null>;
  create(tx: Tx, organizationId: string, input: CreateCatalogueInput): Promise<CatalogueEntry>;
  /** Writes only if the version still matches; returns the rows changed (0 or 1). */
  update(tx: Tx, organizationId: string, input: UpdateCatalogueInput): Promise<number>;
  /** With a version, removes only that version. */
  remove(tx: Tx, organizationId: string, id: string, version?: number): Promise<number>;
  /** Routes that use the entry. */
  usedBy(organizationId: string, id: string): Prisma.RouteWhereInput;
  usageCounts(db: DbClient, organizationId: string): Promise<Map<string, number>>;
}

const entrySelect = { id: true, name: true, version: true } as const;
const withoutDescription = (row: { id: string; name: string; version: number }): CatalogueEntry => ({ ...row, description: "" });

function countsFrom<T extends string>(rows: ({ _count: { _all: number } } & Record<T, string | null>)[], key: T, into = new Map<string, number>()) {
  for (const row of rows) {
    const id = row[key];
    if (id) into.set(id, (into.get(id) ?? 0) + row._count._all);
  }
  return into;
}

const STORES: Record<CatalogueKind, CatalogueStore> = {
  queue: {
    list: (db, organizationId) =>
      db.queue.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: { ...entrySelect, description: true } }),
    find: (db, organizationId, id) => db.queue.findFirst({ where: { id, organizationId }, select: { ...entrySelect, description: true } }),
    create: (tx, organizationId, input) =>
      tx.queue.create({
        data: { organizationId, name: input.name, nameKey: input.name.toLowerCase(), description: input.description ?? "" },
        select: { ...entrySelect, description: true },
      }),
    update: async (tx, organizationId, input) =>
      (
        await tx.queue.updateMany({
          where: { id: input.id, organizationId, version: input.version },
          data: { name: input.name, nameKey: input.name.toLowerCase(), description: input.description ?? "", version: { increment: 1 } },
        })
      ).count,
    remove: async (tx, organizationId, id, version) => (await tx.queue.deleteMany({ where: { id, organizationId, ...(version !== undefined ? { version } : {}) } })).count,
    usedBy: (organizationId, id) => ({ organizationId, OR: [{ queueId: id }, { spamQueueId: id }] }),
    usageCounts: async (db, organizationId) => {
      const main = await db.route.groupBy({ by: ["queueId"], where: { organizationId }, _count: { _all: true } });
      const spam = await db.route.groupBy({ by: ["spamQueueId"], where: { organizationId, spamQueueId: { not: null } }, _count: { _all: true } });
      return countsFrom(spam, "spamQueueId", countsFrom(main, "queueId"));
    },
  },
  skill: {
    list: async (db, organizationId) =>
      (await db.skill.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: entrySelect })).map(withoutDescription),
    find: async (db, organizationId, id) => {
      const row = await db.skill.findFirst({ where: { id, organizationId }, select: entrySelect });
      return row ? withoutDescription(row) : null;
    },
    create: async (tx, organizationId, input) =>
      withoutDescription(await tx.skill.create({ data: { organizationId, name: input.name, nameKey: input.name.toLowerCase() }, select: entrySelect })),
    update: async (tx, organizationId, input) =>
      (
        await tx.skill.updateMany({
          where: { id: input.id, organizationId, version: input.version },
          data: { name: input.name, nameKey: input.name.toLowerCase(), version: { increment: 1 } },
        })
      ).count,
    remove: async (tx, organizationId, id, version) => (await tx.skill.deleteMany({ where: { id, organizationId, ...(version !== undefined ? { version } : {}) } })).count,
    usedBy: (organizationId, id) => ({ organizationId, skills: { some: { skillId: id } } }),
    usageCounts: async (db, organizationId) =>
      countsFrom(await db.routeSkill.groupBy({ by: ["skillId"], where: { skill: { organizationId } }, _count: { _all: true } }), "skillId"),
  },
  language: {
    list: async (db, organizationId) =>
      (await db.language.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: entrySelect })).map(withoutDescription),
    find: async (db, organizationId, id) => {
      const row = await db.language.findFirst({ where: { id, organizationId }, select: entrySelect });
      return row ? withoutDescription(row) : null;
    },
    create: async (tx, organizationId, input) =>
      withoutDescription(
        await tx.language.create({ data: { organizationId, name: input.name, nameKey: input.name.toLowerCase() }, select: entrySelect }),
      ),
    update: async (tx, organizationId, input) =>
      (
        await tx.language.updateMany({
          where: { id: input.id, organizationId, version: input.version },
          data: { name: input.name, nameKey: input.name.toLowerCase(), version: { increment: 1 } },
        })
      ).count,
    remove: async (tx, organizationId, id, version) => (await tx.language.deleteMany({ where: { id, organizationId, ...(version !== undefined ? { version } : {}) } })).count,
    usedBy: (organizationId, id) => ({ organizationId, languageId: id }),
    usageCounts: async (db, organizationId) =>
      countsFrom(
        await db.route.groupBy({ by: ["languageId"], where: { organizationId, languageId: { not: null } }, _count: { _all: true } }),
        "languageId",
      ),
  },
};

function snapshot(kind: CatalogueKind, entry: CatalogueEntry) {
  return kind === "queue" ? { name: entry.name, description: entry.description } : { name: entry.name };
}

function duplicateName(kind: CatalogueKind, name: string): ConflictError {
  const { one } = CATALOGUE_NOUNS[kind];
  return new ConflictError(`A ${one} named "${name}" already exists.`, { name: [`Another ${one} already has this name`] });
}

function notFound(kind: CatalogueKind): NotFoundError {
  return new NotFoundError(`This ${CATALOGUE_NOUNS[kind].one} no longer exists.`);
}

export async function listCatalogue(db: DbClient, organizationId: string, kind: CatalogueKind): Promise<CatalogueItem[]> {
  const store = STORES[kind];
  const [entries, counts] = await Promise.all([store.list(db, organizationId), store.usageCounts(db, organizationId)]);
  return entries.map((entry) => ({ ...entry, routeCount: counts.get(entry.id) ?? 0 }));
}

/** Just names and ids, for pickers and filters. */
export function listCatalogueEntries(db: DbClient, organizationId: string, kind: CatalogueKind): Promise<CatalogueEntry[]> {
  return STORES[kind].list(db, organizationId);
}

export async function createCatalogueItem(db: Database, actor: ChangeActor, kind: CatalogueKind, input: CreateCatalogueInput): Promise<CatalogueEntry> {
  try {
    return await db.$transaction(async (tx) => {
      const entry = await STORES[kind].create(tx, actor.organizationId, input);
      await recordAudit(tx, actor, { action: `${kind}.create`, entityType: kind, entityId: entry.id, entityLabel: entry.name, after: snapshot(kind, entry) });
      return entry;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(kind, input.name);
    throw error;
  }
}

export async function updateCatalogueItem(db: Database, actor: ChangeActor, kind: CatalogueKind, input: UpdateCatalogueInput): Promise<CatalogueEntry> {
  const store = STORES[kind];
  const { organizationId } = actor;
  try {
    return await db.$transaction(async (tx) => {
      const before = await store.find(tx, organizationId, input.id);
      if (!before) throw notFound(kind);
      // The version in the WHERE clause makes "check, then write" one atomic step.
      if ((await store.update(tx, organizationId, input)) !== 1) {
        const current = await store.find(tx, organizationId, input.id);
        if (!current) throw notFound(kind);
        throw new StaleVersionError(`Someone else changed this ${CATALOGUE_NOUNS[kind].one} after you opened it; nothing was saved.`, current);
      }
      const after = await store.find(tx, organizationId, input.id);
      if (!after) throw notFound(kind);
      const renamed = before.name !== after.name;
      await recordAudit(tx, actor, {
        action: `${kind}.${renamed ? "rename" : "update"}`,
        entityType: kind,
        entityId: after.id,
        entityLabel: after.name,
        before: snapshot(kind, before),
        after: snapshot(kind, after),
      });
      return after;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(kind, input.name);
    throw error;
  }
}

/** Up to `limit` addresses of the routes using an entry, and how many there are in all. */
export async function routesUsing(db: DbClient, organizationId: string, kind: CatalogueKind, id: string, limit = 10) {
  const where = STORES[kind].usedBy(organizationId, id);
  const [routes, total] = await Promise.all([
    db.route.findMany({ where, orderBy: { address: "asc" }, take: limit, select: { pattern: true, domain: { select: { displayName: true } } } }),
    db.route.count({ where }),
  ]);
  return { addresses: routes.map((route) => `${route.pattern}@${route.domain.displayName}`), total };
}

/** routesUsing for the admin's question; another organisation's entry does not exist for them. */
export async function catalogueEntryUsage(db: DbClient, organizationId: string, kind: CatalogueKind, id: string, limit: number) {
  if (!(await STORES[kind].find(db, organizationId, id))) throw notFound(kind);
  return routesUsing(db, organizationId, kind, id, limit);
}

/** `expectedVersion` (the Automation API's If-Match): deletes only that version, else StaleVersionError. */
export async function deleteCatalogueItem(db: Database, actor: ChangeActor, kind: CatalogueKind, id: string, expectedVersion?: number): Promise<CatalogueEntry> {
  const store = STORES[kind];
  const { organizationId } = actor;
  const { one } = CATALOGUE_NOUNS[kind];
  try {
    return await db.$transaction(async (tx) => {
      const entry = await store.find(tx, organizationId, id);
      if (!entry) throw notFound(kind);
      const stale = () => new StaleVersionError(`Someone else changed this ${one} after you read it; nothing was deleted.`, entry);
      if (expectedVersion !== undefined && entry.version !== expectedVersion) throw stale();
      const usage = await routesUsing(tx, organizationId, kind, id);
      if (usage.total > 0) {
        const more = usage.total > usage.addresses.length ? ` and ${usage.total - usage.addresses.length} more` : "";
        const routes = usage.total === 1 ? "1 route uses it" : `${usage.total} routes use it`;
        throw new ConflictError(
          `"${entry.name}" cannot be deleted while ${routes}: ${usage.addresses.join(", ")}${more}. Change ${usage.total === 1 ? "that route" : "those routes"} first.`,
        );
      }
      if ((await store.remove(tx, organizationId, id, expectedVersion)) !== 1) {
        if (expectedVersion !== undefined && (await store.find(tx, organizationId, id))) throw stale();
        throw notFound(kind);
      }
      await recordAudit(tx, actor, { action: `${kind}.delete`, entityType: kind, entityId: entry.id, entityLabel: entry.name, before: snapshot(kind, entry) });
      return entry;
    });
  } catch (error) {
    // A route started using it between the check and the delete; the foreign key refused.
    if (isForeignKeyViolation(error)) throw new ConflictError(`A route started using this ${one} just now; nothing was deleted. Reload to see it.`);
    throw error;
  }
}

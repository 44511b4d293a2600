import "server-only";

import type { DbClient, Prisma } from "@/lib/db/client";
import { Prisma as Sql } from "@/lib/db/generated/client";

import type { CatalogueKind, CreateCatalogueInput, UpdateCatalogueInput } from "./schemas";
import type { CatalogueEntry } from "./types";

/**
 * The three catalogue tables (queues, skills, languages) share their columns but for the queue's
 * description, and their life cycle (create, rename, delete while unused): one store serves all
 * three, the table and the routes that use an entry being all that differ.
 */

type Tx = Prisma.TransactionClient;

interface EntryRow {
  id: string;
  name: string;
  version: number;
  description?: string;
}

/** The part of a Prisma model delegate the store uses; queues, skills and languages all have it. */
interface CatalogueTable {
  findMany(args: { where: object; orderBy: object; select: object }): Promise<EntryRow[]>;
  findFirst(args: { where: object; select: object }): Promise<EntryRow | null>;
  create(args: { data: object; select: object }): Promise<EntryRow>;
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
  deleteMany(args: { where: object }): Promise<{ count: number }>;
}

export interface CatalogueStore {
  list(db: DbClient, organizationId: string): Promise<CatalogueEntry[]>;
  /** `forUpdate`: holds the row until the transaction ends, so concurrent edits take turns. */
  find(db: DbClient, organizationId: string, id: string, options?: { forUpdate?: boolean }): Promise<CatalogueEntry | null>;
  create(tx: Tx, organizationId: string, input: CreateCatalogueInput): Promise<CatalogueEntry>;
  /** Writes only if the version still matches; returns the rows changed (0 or 1). */
  update(tx: Tx, organizationId: string, input: UpdateCatalogueInput): Promise<number>;
  /** With a version, removes only that version. */
  remove(tx: Tx, organizationId: string, id: string, version?: number): Promise<number>;
  /** Routes that use the entry. */
  usedBy(organizationId: string, id: string): Prisma.RouteWhereInput;
  usageCounts(db: DbClient, organizationId: string): Promise<Map<string, number>>;
}

function countsFrom<T extends string>(rows: ({ _count: { _all: number } } & Record<T, string | null>)[], key: T, into = new Map<string, number>()) {
  for (const row of rows) {
    const id = row[key];
    if (id) into.set(id, (into.get(id) ?? 0) + row._count._all);
  }
  return into;
}

async function lockRow(db: DbClient, tableName: string, organizationId: string, id: string): Promise<void> {
  await db.$queryRaw`SELECT 1 AS locked FROM ${Sql.raw(tableName)} WHERE id = ${id}::uuid AND organization_id = ${organizationId}::uuid FOR UPDATE`;
}

function catalogueStore(
  tableName: "queues" | "skills" | "languages",
  table: (db: DbClient) => CatalogueTable,
  options: { described: boolean; usedBy: CatalogueStore["usedBy"]; usageCounts: CatalogueStore["usageCounts"] },
): CatalogueStore {
  const select = { id: true, name: true, version: true, ...(options.described ? { description: true } : {}) };
  const entry = (row: EntryRow): CatalogueEntry => ({ id: row.id, name: row.name, version: row.version, description: row.description ?? "" });
  const fields = (input: CreateCatalogueInput) => ({
    name: input.name,
    nameKey: input.name.toLowerCase(),
    ...(options.described ? { description: input.description ?? "" } : {}),
  });
  return {
    list: async (db, organizationId) => (await table(db).findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select })).map(entry),
    find: async (db, organizationId, id, options) => {
      if (options?.forUpdate) await lockRow(db, tableName, organizationId, id);
      const row = await table(db).findFirst({ where: { id, organizationId }, select });
      return row ? entry(row) : null;
    },
    create: async (tx, organizationId, input) => entry(await table(tx).create({ data: { organizationId, ...fields(input) }, select })),
    update: async (tx, organizationId, input) =>
      (await table(tx).updateMany({ where: { id: input.id, organizationId, version: input.version }, data: { ...fields(input), version: { increment: 1 } } }))
        .count,
    remove: async (tx, organizationId, id, version) => (await table(tx).deleteMany({ where: { id, organizationId, ...(version !== undefined ? { version } : {}) } })).count,
    usedBy: options.usedBy,
    usageCounts: options.usageCounts,
  };
}

export const CATALOGUE_STORES: Record<CatalogueKind, CatalogueStore> = {
  queue: catalogueStore("queues", (db) => db.queue as unknown as CatalogueTable, {
    described: true,
    usedBy: (organizationId, id) => ({ organizationId, OR: [{ queueId: id }, { spamQueueId: id }] }),
    usageCounts: async (db, organizationId) => {
      const [main, spam] = await Promise.all([
        db.route.groupBy({ by: ["queueId"], where: { organizationId }, _count: { _all: true } }),
        db.route.groupBy({ by: ["spamQueueId"], where: { organizationId, spamQueueId: { not: null } }, _count: { _all: true } }),
      ]);
      return countsFrom(spam, "spamQueueId", countsFrom(main, "queueId"));
    },
  }),
  skill: catalogueStore("skills", (db) => db.skill as unknown as CatalogueTable, {
    described: false,
    usedBy: (organizationId, id) => ({ organizationId, skills: { some: { skillId: id } } }),
    usageCounts: async (db, organizationId) =>
      countsFrom(await db.routeSkill.groupBy({ by: ["skillId"], where: { skill: { organizationId } }, _count: { _all: true } }), "skillId"),
  }),
  language: catalogueStore("languages", (db) => db.language as unknown as CatalogueTable, {
    described: false,
    usedBy: (organizationId, id) => ({ organizationId, languageId: id }),
    usageCounts: async (db, organizationId) =>
      countsFrom(
        await db.route.groupBy({ by: ["languageId"], where: { organizationId, languageId: { not: null } }, _count: { _all: true } }),
        "languageId",
      ),
  }),
};

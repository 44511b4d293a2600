import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import { getDb, type DbClient } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { countRecentMessages } from "@/lib/messages/queries";

import type { CatalogueKind } from "./schemas";
import { CATALOGUE_STORES } from "./store";
import { CATALOGUE_NOUNS } from "./schemas";
import type { CatalogueEntry, CatalogueItem, CatalogueRow, CatalogueUsage } from "./types";

/**
 * What the Queues page, the route pickers and the set-up wizard read of the organisation's
 * queues, skills and languages. Every query is scoped by the organisation.
 */

export function catalogueNotFound(kind: CatalogueKind): NotFoundError {
  return new NotFoundError(`This ${CATALOGUE_NOUNS[kind].one} no longer exists.`);
}

export async function listCatalogue(db: DbClient, organizationId: string, kind: CatalogueKind): Promise<CatalogueItem[]> {
  const store = CATALOGUE_STORES[kind];
  const [entries, counts] = await Promise.all([store.list(db, organizationId), store.usageCounts(db, organizationId)]);
  return entries.map((entry) => ({ ...entry, routeCount: counts.get(entry.id) ?? 0 }));
}

/** Just names and ids, for pickers and filters. */
export function listCatalogueEntries(db: DbClient, organizationId: string, kind: CatalogueKind): Promise<CatalogueEntry[]> {
  return CATALOGUE_STORES[kind].list(db, organizationId);
}

export function listQueues(db: DbClient, organizationId: string): Promise<CatalogueEntry[]> {
  return listCatalogueEntries(db, organizationId, "queue");
}

/** Up to `limit` addresses of the routes using an entry, and how many there are in all. */
export async function routesUsing(db: DbClient, organizationId: string, kind: CatalogueKind, id: string, limit = 10): Promise<CatalogueUsage> {
  const where = CATALOGUE_STORES[kind].usedBy(organizationId, id);
  const [routes, total] = await Promise.all([
    db.route.findMany({ where, orderBy: { address: "asc" }, take: limit, select: { pattern: true, domain: { select: { displayName: true } } } }),
    db.route.count({ where }),
  ]);
  return { addresses: routes.map((route) => `${route.pattern}@${route.domain.displayName}`), total };
}

/** routesUsing for the admin's question; another organisation's entry does not exist for them. */
export async function catalogueEntryUsage(db: DbClient, organizationId: string, kind: CatalogueKind, id: string, limit: number): Promise<CatalogueUsage> {
  if (!(await CATALOGUE_STORES[kind].find(db, organizationId, id))) throw catalogueNotFound(kind);
  return routesUsing(db, organizationId, kind, id, limit);
}

/** The Queues page: the three catalogues with their route counts, queues with their recent messages. */
export async function queuesPageView(actor: Pick<Actor, "organizationId">, db: DbClient = getDb()): Promise<Record<"queues" | "skills" | "languages", CatalogueRow[]>> {
  const [queues, skills, languages] = await Promise.all([
    listCatalogue(db, actor.organizationId, "queue"),
    listCatalogue(db, actor.organizationId, "skill"),
    listCatalogue(db, actor.organizationId, "language"),
  ]);
  const recentMessages = await countRecentMessages(actor, "queue", queues.map((queue) => queue.id), db);
  return { queues: queues.map((queue) => ({ ...queue, recentMessages: recentMessages[queue.id] })), skills, languages };
}

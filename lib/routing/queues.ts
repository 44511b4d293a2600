import "server-only";

import type { z } from "zod";

import type { Database } from "@/lib/db/client";

import { createCatalogueItem, deleteCatalogueItem, listCatalogueEntries, updateCatalogueItem } from "./catalogues";
import type { createQueueSchema, updateQueueSchema } from "./queue-schemas";
import type { DbClient } from "@/lib/db/client";

import type { ChangeActor } from "./routes";

/** Queues of one organisation: the queue catalogue (lib/routing/catalogues.ts) under its own names. */

export function listQueues(db: DbClient, organizationId: string) {
  return listCatalogueEntries(db, organizationId, "queue");
}

export function createQueue(db: Database, actor: ChangeActor, input: z.output<typeof createQueueSchema>) {
  return createCatalogueItem(db, actor, "queue", input);
}

export function updateQueue(db: Database, actor: ChangeActor, input: z.output<typeof updateQueueSchema>) {
  return updateCatalogueItem(db, actor, "queue", input);
}

export function deleteQueue(db: Database, actor: ChangeActor, id: string) {
  return deleteCatalogueItem(db, actor, "queue", id);
}

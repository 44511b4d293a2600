import "server-only";

import { revalidatePath } from "next/cache";

import { threeWayMerge } from "@/lib/actions/merge";
import { recordAudit } from "@/lib/audit/audit";
import type { Database, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, StaleVersionError } from "@/lib/errors";
import type { ChangeActor } from "@/lib/routes/types";

import { catalogueNotFound, routesUsing } from "./queries";
import { CATALOGUE_NOUNS, catalogueFields, type CatalogueKind, type CreateCatalogueInput, type UpdateCatalogueInput } from "./schemas";
import { CATALOGUE_STORES } from "./store";
import type { CatalogueEntry, StaleCatalogueEntry } from "./types";

/**
 * Creating, renaming and deleting queues, skills and languages. Each change is audited in its own
 * transaction; once it commits, the pages that show the catalogues are rendered afresh.
 */

function snapshot(kind: CatalogueKind, entry: CatalogueEntry) {
  return kind === "queue" ? { name: entry.name, description: entry.description } : { name: entry.name };
}

function duplicateName(kind: CatalogueKind, name: string): ConflictError {
  const { one } = CATALOGUE_NOUNS[kind];
  return new ConflictError(`A ${one} named "${name}" already exists.`, { name: [`Another ${one} already has this name`] });
}

/**
 * Runs one change in its own transaction; refusals by the database become the admin's words, and
 * once it commits the Queues page, the routes list's pickers and the audit log show the change.
 */
async function change(db: Database, work: (tx: Prisma.TransactionClient) => Promise<CatalogueEntry>, refused: (error: unknown) => unknown): Promise<CatalogueEntry> {
  let entry: CatalogueEntry;
  try {
    entry = await db.$transaction(work);
  } catch (error) {
    throw refused(error);
  }
  revalidatePath("/queues");
  revalidatePath("/routes");
  revalidatePath("/audit");
  return entry;
}

const nameTaken = (kind: CatalogueKind, name: string) => (error: unknown) => (isUniqueViolation(error) ? duplicateName(kind, name) : error);

export async function createCatalogueEntry(db: Database, actor: ChangeActor, kind: CatalogueKind, input: CreateCatalogueInput): Promise<CatalogueEntry> {
  return change(db, (tx) => insertCatalogueEntry(tx, actor, kind, input), nameTaken(kind, input.name));
}

/**
 * The create inside a caller's transaction (the set-up wizard creates a queue with its first
 * route); the caller maps a duplicate name with `catalogueWriteError`.
 */
export async function insertCatalogueEntry(tx: Prisma.TransactionClient, actor: ChangeActor, kind: CatalogueKind, input: CreateCatalogueInput): Promise<CatalogueEntry> {
  const created = await CATALOGUE_STORES[kind].create(tx, actor.organizationId, input);
  await recordAudit(tx, actor, { action: `${kind}.create`, entityType: kind, entityId: created.id, entityLabel: created.name, after: snapshot(kind, created) });
  return created;
}

/** A refused catalogue write in the admin's words: a duplicate name is an error on the form's name field. */
export function catalogueWriteError(kind: CatalogueKind, name: string, error: unknown, field = "name"): unknown {
  if (!isUniqueViolation(error)) return error;
  const taken = duplicateName(kind, name);
  return new ConflictError(taken.message, { [field]: taken.fieldErrors?.name ?? [] });
}

export async function updateCatalogueEntry(db: Database, actor: ChangeActor, kind: CatalogueKind, input: UpdateCatalogueInput): Promise<CatalogueEntry> {
  const store = CATALOGUE_STORES[kind];
  const { organizationId } = actor;
  return change(
    db,
    async (tx) => {
      const before = await store.find(tx, organizationId, input.id, { forUpdate: true });
      if (!before) throw catalogueNotFound(kind);
      const stale = (conflicts: StaleCatalogueEntry["conflicts"]) =>
        new StaleVersionError(`Someone else changed this ${CATALOGUE_NOUNS[kind].one} after you opened it; nothing was saved.`, {
          entry: before,
          conflicts,
        } satisfies StaleCatalogueEntry);
      let values: UpdateCatalogueInput = input;
      if (before.version !== input.version) {
        // Saved by someone else since the form opened: merge field by field (decision 022).
        if (!input.base) throw stale([]);
        const mine = { name: input.name, description: input.description ?? "" };
        const { merged, conflicts } = threeWayMerge({ description: "", ...input.base }, before, mine, catalogueFields(kind));
        if (conflicts.length > 0) throw stale(conflicts);
        values = { ...merged, id: input.id, version: before.version };
      }
      // The version in the WHERE clause makes "check, then write" one atomic step.
      if ((await store.update(tx, organizationId, values)) !== 1) throw stale([]);
      const after = await store.find(tx, organizationId, input.id);
      if (!after) throw catalogueNotFound(kind);
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
    },
    nameTaken(kind, input.name),
  );
}

/** `expectedVersion` (the Automation API's If-Match): deletes only that version, else StaleVersionError. */
export async function deleteCatalogueEntry(db: Database, actor: ChangeActor, kind: CatalogueKind, id: string, expectedVersion?: number): Promise<CatalogueEntry> {
  const store = CATALOGUE_STORES[kind];
  const { organizationId } = actor;
  const { one } = CATALOGUE_NOUNS[kind];
  return change(
    db,
    async (tx) => {
      const found = await store.find(tx, organizationId, id);
      if (!found) throw catalogueNotFound(kind);
      const stale = () => new StaleVersionError(`Someone else changed this ${one} after you read it; nothing was deleted.`, found);
      if (expectedVersion !== undefined && found.version !== expectedVersion) throw stale();
      const usage = await routesUsing(tx, organizationId, kind, id);
      if (usage.total > 0) {
        const more = usage.total > usage.addresses.length ? ` and ${usage.total - usage.addresses.length} more` : "";
        const routes = usage.total === 1 ? "1 route uses it" : `${usage.total} routes use it`;
        throw new ConflictError(
          `"${found.name}" cannot be deleted while ${routes}: ${usage.addresses.join(", ")}${more}. Change ${usage.total === 1 ? "that route" : "those routes"} first.`,
        );
      }
      if ((await store.remove(tx, organizationId, id, expectedVersion)) !== 1) {
        if (expectedVersion !== undefined && (await store.find(tx, organizationId, id))) throw stale();
        throw catalogueNotFound(kind);
      }
      await recordAudit(tx, actor, { action: `${kind}.delete`, entityType: kind, entityId: found.id, entityLabel: found.name, before: snapshot(kind, found) });
      return found;
    },
    // A route started using it between the check and the delete; the foreign key refused.
    (error) => (isForeignKeyViolation(error) ? new ConflictError(`A route started using this ${one} just now; nothing was deleted. Reload to see it.`) : error),
  );
}

"use server";

import type { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { staleAs } from "@/lib/actions/result";
import { createCatalogueEntry, deleteCatalogueEntry, updateCatalogueEntry } from "@/lib/queues/commands";
import { catalogueEntryUsage } from "@/lib/queues/queries";
import {
  CATALOGUE_NOUNS,
  catalogueUsageSchema,
  createLanguageSchema,
  createQueueSchema,
  createSkillSchema,
  deleteLanguageSchema,
  deleteQueueSchema,
  deleteSkillSchema,
  updateLanguageSchema,
  updateQueueSchema,
  updateSkillSchema,
  type CatalogueKind,
  type CreateCatalogueInput,
  type UpdateCatalogueInput,
} from "@/lib/queues/schemas";
import type { StaleCatalogueEntry } from "@/lib/queues/types";

/** Queues, skills and languages: the catalogues on the Queues page (tabs). One life cycle, three tables. */

function catalogueActions<
  Create extends z.ZodType<CreateCatalogueInput>,
  Update extends z.ZodType<UpdateCatalogueInput>,
  Delete extends z.ZodType<{ id: string }>,
>(kind: CatalogueKind, schemas: { create: Create; update: Update; remove: Delete }) {
  const title = CATALOGUE_NOUNS[kind].title;
  return {
    create: defineAction({ name: `create${title}`, ability: "manage", input: schemas.create }, async (input, { actor, db }) => {
      const entry = await createCatalogueEntry(db, actor, kind, input);
      return { id: entry.id, name: entry.name };
    }),
    update: defineAction({ name: `update${title}`, ability: "manage", input: schemas.update, stale: staleAs<StaleCatalogueEntry>() }, async (input, { actor, db }) => {
      const entry = await updateCatalogueEntry(db, actor, kind, input);
      return { id: entry.id, name: entry.name, version: entry.version };
    }),
    remove: defineAction({ name: `delete${title}`, ability: "manage", input: schemas.remove }, async (input, { actor, db }) => {
      await deleteCatalogueEntry(db, actor, kind, input.id);
      return { id: input.id };
    }),
  };
}

const queues = catalogueActions("queue", { create: createQueueSchema, update: updateQueueSchema, remove: deleteQueueSchema });
const skills = catalogueActions("skill", { create: createSkillSchema, update: updateSkillSchema, remove: deleteSkillSchema });
const languages = catalogueActions("language", { create: createLanguageSchema, update: updateLanguageSchema, remove: deleteLanguageSchema });

export const createQueueAction = queues.create;
export const updateQueueAction = queues.update;
export const deleteQueueAction = queues.remove;
export const createSkillAction = skills.create;
export const updateSkillAction = skills.update;
export const deleteSkillAction = skills.remove;
export const createLanguageAction = languages.create;
export const updateLanguageAction = languages.update;
export const deleteLanguageAction = languages.remove;

/** Which routes use a catalogue entry (shown before a delete that would be refused). */
export const catalogueUsageAction = defineAction(
  { name: "catalogueUsage", ability: "view", input: catalogueUsageSchema },
  async (input, { actor, db }) => catalogueEntryUsage(db, actor.organizationId, input.kind, input.id, 20),
);

"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import { staleAs } from "@/lib/actions/result";
import {
  catalogueUsageSchema,
  createLanguageSchema,
  createSkillSchema,
  deleteLanguageSchema,
  deleteSkillSchema,
  updateLanguageSchema,
  updateSkillSchema,
} from "@/lib/routing/catalogue-schemas";
import { catalogueEntryUsage, createCatalogueItem, deleteCatalogueItem, updateCatalogueItem, type CatalogueEntry } from "@/lib/routing/catalogues";
import { createQueueSchema, deleteQueueSchema, updateQueueSchema } from "@/lib/routing/queue-schemas";
import { createQueue, deleteQueue, updateQueue } from "@/lib/routing/queues";

/** Queues, skills and languages: the catalogues on the Queues page (tabs). */

function revalidateCatalogues(): void {
  revalidatePath("/queues");
  revalidatePath("/routes");
  revalidatePath("/audit");
}

export const createQueueAction = defineAction(
  { name: "createQueue", ability: "manage", input: createQueueSchema },
  async (input, { actor, db }) => {
    const queue = await createQueue(db, actor, input);
    revalidateCatalogues();
    return { id: queue.id, name: queue.name };
  },
);

export const updateQueueAction = defineAction(
  { name: "updateQueue", ability: "manage", input: updateQueueSchema, stale: staleAs<CatalogueEntry>() },
  async (input, { actor, db }) => {
    const queue = await updateQueue(db, actor, input);
    revalidateCatalogues();
    return { id: queue.id, name: queue.name, version: queue.version };
  },
);

export const deleteQueueAction = defineAction(
  { name: "deleteQueue", ability: "manage", input: deleteQueueSchema },
  async (input, { actor, db }) => {
    await deleteQueue(db, actor, input.id);
    revalidateCatalogues();
    return { id: input.id };
  },
);

export const createSkillAction = defineAction(
  { name: "createSkill", ability: "manage", input: createSkillSchema },
  async (input, { actor, db }) => {
    const skill = await createCatalogueItem(db, actor, "skill", input);
    revalidateCatalogues();
    return { id: skill.id, name: skill.name };
  },
);

export const updateSkillAction = defineAction(
  { name: "updateSkill", ability: "manage", input: updateSkillSchema, stale: staleAs<CatalogueEntry>() },
  async (input, { actor, db }) => {
    const skill = await updateCatalogueItem(db, actor, "skill", input);
    revalidateCatalogues();
    return { id: skill.id, name: skill.name, version: skill.version };
  },
);

export const deleteSkillAction = defineAction(
  { name: "deleteSkill", ability: "manage", input: deleteSkillSchema },
  async (input, { actor, db }) => {
    await deleteCatalogueItem(db, actor, "skill", input.id);
    revalidateCatalogues();
    return { id: input.id };
  },
);

export const createLanguageAction = defineAction(
  { name: "createLanguage", ability: "manage", input: createLanguageSchema },
  async (input, { actor, db }) => {
    const language = await createCatalogueItem(db, actor, "language", input);
    revalidateCatalogues();
    return { id: language.id, name: language.name };
  },
);

export const updateLanguageAction = defineAction(
  { name: "updateLanguage", ability: "manage", input: updateLanguageSchema, stale: staleAs<CatalogueEntry>() },
  async (input, { actor, db }) => {
    const language = await updateCatalogueItem(db, actor, "language", input);
    revalidateCatalogues();
    return { id: language.id, name: language.name, version: language.version };
  },
);

export const deleteLanguageAction = defineAction(
  { name: "deleteLanguage", ability: "manage", input: deleteLanguageSchema },
  async (input, { actor, db }) => {
    await deleteCatalogueItem(db, actor, "language", input.id);
    revalidateCatalogues();
    return { id: input.id };
  },
);

/** Which routes use a catalogue entry (shown before a delete that would be refused). */
export const catalogueUsageAction = defineAction(
  { name: "catalogueUsage", ability: "view", input: catalogueUsageSchema },
  async (input, { actor, db }) => catalogueEntryUsage(db, actor.organizationId, input.kind, input.id, 20),
);

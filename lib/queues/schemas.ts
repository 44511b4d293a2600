import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

/**
 * The organisation's catalogues that routes draw from: queues (with a description), skills and
 * languages. Shared by the Queues page's forms, the set-up wizard and the server actions.
 */
export const CATALOGUE_KINDS = ["queue", "skill", "language"] as const;
export type CatalogueKind = (typeof CATALOGUE_KINDS)[number];

export const CATALOGUE_NOUNS: Record<CatalogueKind, { one: string; many: string; title: string; titleMany: string }> = {
  queue: { one: "queue", many: "queues", title: "Queue", titleMany: "Queues" },
  skill: { one: "skill", many: "skills", title: "Skill", titleMany: "Skills" },
  language: { one: "language", many: "languages", title: "Language", titleMany: "Languages" },
};

function nameField(kind: CatalogueKind) {
  return plainText({ error: `Enter a ${CATALOGUE_NOUNS[kind].one} name` })
    .trim()
    .min(1, `Enter a ${CATALOGUE_NOUNS[kind].one} name`)
    .max(120, "Use at most 120 characters");
}

const versionField = z
  .union([z.number(), z.string()])
  .transform((value) => Number(value))
  .pipe(z.number().int().min(1));

/** Queues: shared by the queue forms (the set-up wizard creates queues too) and the server actions. */
export const queueNameSchema = plainText()
  .trim()
  .min(1, "Enter a queue name")
  .max(120, "Use at most 120 characters");

export const createQueueSchema = z.object({
  name: queueNameSchema,
  description: plainText().trim().max(500, "Use at most 500 characters").default(""),
});
export type CreateQueueInput = z.input<typeof createQueueSchema>;

/**
 * What an edit form opened with: with it, a save over a newer version merges field by field
 * (docs/decisions/022-field-level-merge.md). Only compared, never written.
 */
const baseField = z.object({ name: plainText(), description: plainText().default("") }).optional();

export const updateQueueSchema = createQueueSchema.extend({
  id: z.uuid("Unknown queue"),
  version: z.coerce.number().int().min(1),
  base: baseField,
});
export type UpdateQueueInput = z.input<typeof updateQueueSchema>;

export const deleteQueueSchema = z.object({ id: z.uuid("Unknown queue") });

export const createSkillSchema = z.object({ name: nameField("skill") });
export const updateSkillSchema = createSkillSchema.extend({ id: z.uuid("Unknown skill"), version: versionField, base: baseField });
export const deleteSkillSchema = z.object({ id: z.uuid("Unknown skill") });

export const createLanguageSchema = z.object({ name: nameField("language") });
export const updateLanguageSchema = createLanguageSchema.extend({ id: z.uuid("Unknown language"), version: versionField, base: baseField });
export const deleteLanguageSchema = z.object({ id: z.uuid("Unknown language") });

/** The create/rename form of any catalogue (only queues show the description). */
export function catalogueFormSchema(kind: CatalogueKind) {
  return z.object({
    name: nameField(kind),
    description: plainText().trim().max(500, "Use at most 500 characters").default(""),
  });
}
export type CatalogueFormValues = z.input<ReturnType<typeof catalogueFormSchema>>;

export const catalogueUsageSchema = z.object({ kind: z.enum(CATALOGUE_KINDS), id: z.uuid("Unknown entry") });

export type CreateCatalogueInput = { name: string; description?: string };
export type UpdateCatalogueInput = CreateCatalogueInput & { id: string; version: number; base?: CreateCatalogueInput };

/** The fields an edit of each catalogue changes, which a concurrent edit merges. */
export function catalogueFields(kind: CatalogueKind): ("name" | "description")[] {
  return kind === "queue" ? ["name", "description"] : ["name"];
}

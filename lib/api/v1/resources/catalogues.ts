import "server-only";

import { z } from "zod";

import { NotFoundError, ValidationError } from "@/lib/errors";
import {
  CATALOGUE_NOUNS,
  createLanguageSchema,
  createSkillSchema,
  updateLanguageSchema,
  updateSkillSchema,
  type CatalogueKind,
} from "@/lib/queues/schemas";
import { createCatalogueEntry, deleteCatalogueEntry, updateCatalogueEntry } from "@/lib/queues/commands";
import { listCatalogue } from "@/lib/queues/queries";
import type { CatalogueItem } from "@/lib/queues/types";
import { createQueueSchema, updateQueueSchema } from "@/lib/queues/schemas";

import { defineEndpoint, json, parseWith, type EndpointContext, type Reply } from "../endpoint";
import { pathId } from "../path";
import { etagOf, requiredIfMatch } from "../preconditions";

/**
 * /api/v1/queues, /skills and /languages: the catalogues of the Queues page, through the same
 * schemas and catalogue functions as its server actions.
 */

type IdParams = { id: string };

const SCHEMAS = {
  queue: { create: createQueueSchema, update: updateQueueSchema },
  skill: { create: createSkillSchema, update: updateSkillSchema },
  language: { create: createLanguageSchema, update: updateLanguageSchema },
} as const;

export const patchQueueSchema = z
  .object({ name: z.string(), description: z.string() })
  .partial()
  .meta({ id: "QueuePatch", description: "Fields to change; the rest keep their values" });
export const patchCatalogueEntrySchema = z.object({ name: z.string() }).partial().meta({ id: "CatalogueEntryPatch" });

function representation(kind: CatalogueKind, item: CatalogueItem) {
  const { id, version, name, description, routeCount } = item;
  return kind === "queue" ? { id, version, name, description, routeCount } : { id, version, name, routeCount };
}

async function findItem(context: EndpointContext<IdParams>, kind: CatalogueKind): Promise<CatalogueItem> {
  const id = pathId(context.params.id, CATALOGUE_NOUNS[kind].one);
  // Catalogues are small (the Queues page lists them whole); one list answers "this one, and its use".
  const item = (await listCatalogue(context.db, context.actor.organizationId, kind)).find((entry) => entry.id === id);
  if (!item) throw new NotFoundError(`This ${CATALOGUE_NOUNS[kind].one} does not exist, or it was deleted.`);
  return item;
}

function itemReply(status: number, kind: CatalogueKind, item: CatalogueItem, headers: Record<string, string> = {}): Reply {
  return json(status, representation(kind, item), { ETag: etagOf(item.version), ...headers });
}

function objectBody(value: unknown, noun: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError(`Send the ${noun} as a JSON object; nothing was saved.`, { _form: ["Expected a JSON object"] });
  }
  return value as Record<string, unknown>;
}

export function catalogueEndpoints(kind: CatalogueKind) {
  const { one, many } = CATALOGUE_NOUNS[kind];
  const current = async (context: EndpointContext<IdParams>) => itemReply(200, kind, await findItem(context, kind));
  return {
    list: defineEndpoint({ name: `v1.list.${many}`, ability: "view" }, async ({ db, actor }) =>
      json(200, { items: (await listCatalogue(db, actor.organizationId, kind)).map((item) => representation(kind, item)) }),
    ),
    create: defineEndpoint({ name: `v1.create.${one}`, ability: "manage" }, async ({ db, actor, json: body }) => {
      const input = parseWith(SCHEMAS[kind].create, body());
      const entry = await createCatalogueEntry(db, actor, kind, input);
      return itemReply(201, kind, { ...entry, routeCount: 0 }, { Location: `/api/v1/${many}/${entry.id}` });
    }),
    get: defineEndpoint<IdParams>({ name: `v1.get.${one}`, ability: "view" }, current),
    update: defineEndpoint<IdParams>({ name: `v1.update.${one}`, ability: "manage", current }, async (context) => {
      const expected = requiredIfMatch(context.request);
      const patch = objectBody(context.json(), one);
      const before = await findItem(context, kind);
      const fields = kind === "queue" ? { name: before.name, description: before.description } : { name: before.name };
      const input = parseWith(SCHEMAS[kind].update, { ...fields, ...patch, id: before.id, version: expected ?? before.version });
      const entry = await updateCatalogueEntry(context.db, context.actor, kind, input);
      return itemReply(200, kind, { ...entry, routeCount: before.routeCount });
    }),
    remove: defineEndpoint<IdParams>({ name: `v1.delete.${one}`, ability: "manage", current }, async (context) => {
      const id = pathId(context.params.id, one);
      const expected = requiredIfMatch(context.request);
      await deleteCatalogueEntry(context.db, context.actor, kind, id, expected ?? undefined);
      return { status: 204 };
    }),
  };
}

export const queueEndpoints = catalogueEndpoints("queue");
export const skillEndpoints = catalogueEndpoints("skill");
export const languageEndpoints = catalogueEndpoints("language");

import "server-only";

import { z } from "zod";

import { getConfig } from "@/lib/config/env";
import { Prisma } from "@/lib/db/generated/client";
import { ValidationError } from "@/lib/errors";
import { plan } from "@/lib/routes/queries";
import { createRouteSchema, listRoutesQuerySchema, updateRouteSchema } from "@/lib/routes/schemas";
import { createRoute } from "@/lib/routes/commands/create-route";
import { deleteRoute } from "@/lib/routes/commands/delete-route";
import { updateRoute } from "@/lib/routes/commands/update-route";
import { getRoute, loadRouteRows } from "@/lib/routes/queries";
import type { RouteLimits, RouteRow } from "@/lib/routes/types";

import { defineEndpoint, json, parseWith, type EndpointContext, type Reply } from "../endpoint";
import { decodePosition, encodePosition, limitField } from "../pagination";
import { pathId } from "../path";
import { etagOf, requiredIfMatch } from "../preconditions";

/** /api/v1/routes: the same schemas and domain functions as the Routes page's server actions. */

type IdParams = { id: string };

function routeLimits(): RouteLimits {
  return { maxRoutesPerDomain: getConfig().MAX_ROUTES_PER_DOMAIN };
}

/** The list's filters (as the Routes page's), a page size and a position. */
export const listRoutesApiQuerySchema = listRoutesQuerySchema.pick({ q: true, domain: true, queue: true, status: true }).extend({
  limit: limitField,
  cursor: z.string().max(800).optional().meta({ description: "`nextCursor` of the previous page" }),
});

/** A PATCH body: any of the create fields; those left out keep their current values. */
export const patchRouteSchema = z
  .object({
    domainId: z.string(),
    pattern: z.string(),
    queueId: z.string(),
    priority: z.union([z.number(), z.string()]),
    skillIds: z.union([z.array(z.string()), z.string(), z.null()]),
    languageId: z.union([z.string(), z.null()]),
    fromName: z.string(),
    fromEmail: z.union([z.string(), z.null()]),
    replyRouteId: z.union([z.string(), z.null()]),
    autoBcc: z.union([z.array(z.string()), z.string(), z.null()]),
    historyInclusion: z.string(),
    allowMultipleActions: z.union([z.boolean(), z.string()]),
    spamQueueId: z.union([z.string(), z.null()]),
  })
  .partial()
  .meta({ id: "RoutePatch", description: "Fields to change; the rest keep their values. Validated as a whole route, with the create rules." });

export function routeReply(status: number, route: RouteRow, headers: Record<string, string> = {}): Reply {
  return json(status, route, { ETag: etagOf(route.version), ...headers });
}

async function currentRoute(context: EndpointContext<IdParams>): Promise<Reply> {
  return routeReply(200, await getRoute(context.db, context.actor.organizationId, pathId(context.params.id, "route")));
}

function editableFields(route: RouteRow) {
  return {
    domainId: route.domainId,
    pattern: route.pattern,
    queueId: route.queueId,
    priority: route.priority,
    skillIds: route.skillIds,
    languageId: route.languageId,
    fromName: route.fromName,
    fromEmail: route.fromEmail,
    replyRouteId: route.replyRouteId,
    autoBcc: route.autoBcc,
    historyInclusion: route.historyInclusion,
    allowMultipleActions: route.allowMultipleActions,
    spamQueueId: route.spamQueueId,
  };
}

function objectBody(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("Send the route as a JSON object; nothing was saved.", { _form: ["Expected a JSON object"] });
  }
  return value as Record<string, unknown>;
}

export const listRoutesEndpoint = defineEndpoint({ name: "v1.listRoutes", ability: "view" }, async ({ db, actor, query }) => {
  const input = parseWith(listRoutesApiQuerySchema, query());
  const position = input.cursor === undefined ? null : decodePosition(input.cursor);
  if (input.cursor !== undefined && position === null) throw new ValidationError("This cursor is not one this API gave out.", { cursor: ["Not a position in the list"] });
  const planned = await plan(db, actor.organizationId, { ...input, sort: "address", dir: "asc", page: 1, size: 50 });
  if (!planned) return json(200, { items: [], nextCursor: null });
  const after = position === null ? Prisma.empty : Prisma.sql`AND r.address > ${position}`;
  const keys = await db.$queryRaw<{ id: string; address: string }[]>`
    SELECT r.id, r.address FROM routes r WHERE ${planned.where} ${after} ORDER BY r.address LIMIT ${input.limit + 1}`;
  const page = keys.slice(0, input.limit);
  const items = await loadRouteRows(db, actor.organizationId, page.map((key) => key.id));
  const last = page[page.length - 1];
  return json(200, { items, nextCursor: keys.length > input.limit && last ? encodePosition(last.address) : null });
});

export const createRouteEndpoint = defineEndpoint({ name: "v1.createRoute", ability: "manage" }, async ({ db, actor, json: body }) => {
  const values = parseWith(createRouteSchema, body());
  const route = await createRoute(db, actor, values, routeLimits());
  return routeReply(201, route, { Location: `/api/v1/routes/${route.id}` });
});

export const getRouteEndpoint = defineEndpoint<IdParams>({ name: "v1.getRoute", ability: "view" }, currentRoute);

export const updateRouteEndpoint = defineEndpoint<IdParams>(
  { name: "v1.updateRoute", ability: "manage", current: currentRoute },
  async ({ db, actor, params, request, json: body }) => {
    const id = pathId(params.id, "route");
    const expected = requiredIfMatch(request);
    const patch = objectBody(body());
    const before = await getRoute(db, actor.organizationId, id);
    const input = parseWith(updateRouteSchema, { ...editableFields(before), ...patch, id, version: expected ?? before.version });
    return routeReply(200, await updateRoute(db, actor, input, routeLimits()));
  },
);

export const deleteRouteEndpoint = defineEndpoint<IdParams>(
  { name: "v1.deleteRoute", ability: "manage", current: currentRoute },
  async ({ db, actor, params, request }) => {
    const id = pathId(params.id, "route");
    const expected = requiredIfMatch(request);
    await deleteRoute(db, actor, id, expected ?? undefined);
    return { status: 204 };
  },
);

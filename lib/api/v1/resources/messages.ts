import "server-only";

import { z } from "zod";

import { NotFoundError } from "@/lib/errors";
import { getMessageDetail, listMessages } from "@/lib/messages/queries";
import { messagesQuerySchema } from "@/lib/messages/schemas";
import { testAddressSchema } from "@/lib/routes/schemas";
import { testAddress } from "@/lib/routes/route-tester";

import { defineEndpoint, json, parseWith } from "../endpoint";
import { pathId } from "../path";

/** /api/v1/messages (the Messages log, read only) and /api/v1/route-tests (the route tester). */

const MAX_MESSAGE_LIMIT = 100;

export const listMessagesApiQuerySchema = messagesQuerySchema.pick({ q: true, status: true, route: true, queue: true, domain: true, from: true, to: true }).extend({
  limit: z.coerce.number().int().min(1).max(MAX_MESSAGE_LIMIT).default(50).meta({ description: `Rows per page, 1–${MAX_MESSAGE_LIMIT}` }),
  cursor: z.string().max(200).optional().meta({ description: "`nextCursor` of the previous page (older rows)" }),
  before: z.string().max(200).optional().meta({ description: "`previousCursor` of a page (newer rows)" }),
});

export const listMessagesEndpoint = defineEndpoint({ name: "v1.listMessages", ability: "view" }, async ({ actor, db, query }) => {
  const raw = query();
  const { limit } = parseWith(listMessagesApiQuerySchema, raw);
  // The log's own query schema reads the filters and positions, as on the Messages page.
  const parsed = messagesQuerySchema.parse({ ...raw, after: raw.cursor, before: raw.before, size: undefined });
  const page = await listMessages(actor, { ...parsed, size: limit }, db);
  return json(200, { items: page.rows, nextCursor: page.older, previousCursor: page.newer });
});

export const getMessageEndpoint = defineEndpoint<{ id: string }>({ name: "v1.getMessage", ability: "view" }, async ({ actor, db, params }) => {
  const detail = await getMessageDetail(actor, pathId(params.id, "message"), db);
  if (!detail) throw new NotFoundError("This message does not exist for your organisation, or it was removed by retention.");
  return json(200, detail);
});

/** POST /api/v1/route-tests { address }: where mail to this address goes. Reads only: a view key may ask. */
export const routeTestEndpoint = defineEndpoint({ name: "v1.routeTest", ability: "view" }, async ({ actor, db, json: body }) => {
  const input = parseWith(testAddressSchema, body());
  return json(200, await testAddress(db, actor.organizationId, input.address));
});

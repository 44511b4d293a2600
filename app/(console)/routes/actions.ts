"use server";

import { defineAction } from "@/lib/actions/define-action";
import { staleAs } from "@/lib/actions/result";
import { getConfig } from "@/lib/config/env";
import { createRoute } from "@/lib/routes/commands/create-route";
import { deleteRoute } from "@/lib/routes/commands/delete-route";
import { updateRoute } from "@/lib/routes/commands/update-route";
import { testAddress } from "@/lib/routes/route-tester";
import { createRouteSchema, deleteRouteSchema, testAddressSchema, updateRouteSchema } from "@/lib/routes/schemas";
import type { RouteLimits, StaleRoute } from "@/lib/routes/types";

function routeLimits(): RouteLimits {
  return { maxRoutesPerDomain: getConfig().MAX_ROUTES_PER_DOMAIN };
}

/*
 * No revalidatePath here, on purpose. Every console page renders per request (nothing is cached
 * between requests), the routes table refreshes its own query after a change, and the set-up wizard
 * refreshes its page. Revalidating would make Next render the calling page again inside every
 * action's response: on /routes, the whole first page of the list, for each route saved.
 */

export const createRouteAction = defineAction(
  { name: "createRoute", ability: "manage", input: createRouteSchema },
  async (input, { actor, db }) => {
    const route = await createRoute(db, actor, input, routeLimits());
    return { id: route.id, address: route.address, version: route.version };
  },
);

export const updateRouteAction = defineAction(
  { name: "updateRoute", ability: "manage", input: updateRouteSchema, stale: staleAs<StaleRoute>() },
  async (input, { actor, db }) => {
    const route = await updateRoute(db, actor, input, routeLimits());
    return { id: route.id, address: route.address, version: route.version };
  },
);

export const deleteRouteAction = defineAction(
  { name: "deleteRoute", ability: "manage", input: deleteRouteSchema },
  async (input, { actor, db }) => {
    const route = await deleteRoute(db, actor, input.id);
    return { id: route.id, address: route.address };
  },
);

/** Reading only: a viewer may test addresses too. */
export const testAddressAction = defineAction(
  { name: "testAddress", ability: "view", input: testAddressSchema },
  async (input, { actor, db }) => testAddress(db, actor.organizationId, input.address),
);

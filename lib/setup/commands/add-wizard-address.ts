import "server-only";

import type { z } from "zod";

import type { Database } from "@/lib/db/client";
import { catalogueWriteError, insertCatalogueEntry } from "@/lib/queues/commands";
import { insertRoute } from "@/lib/routes/commands/create-route";
import { routeWriteError, TRANSACTION_OPTIONS } from "@/lib/routes/rules";
import { createRouteSchema } from "@/lib/routes/schemas";
import type { ChangeActor, RouteLimits } from "@/lib/routes/types";

import { NEW_QUEUE, type addWizardAddressSchema } from "../schemas";

/**
 * The Addresses step's "Add address": the route, and the new queue it needs when the admin asked
 * for one, in one transaction. A refused route (a taken address, a deleted domain) leaves no queue
 * behind, and each creation is audited as usual.
 */
export async function addWizardAddress(
  db: Database,
  actor: ChangeActor,
  input: z.output<typeof addWizardAddressSchema>,
  limits: RouteLimits,
): Promise<{ id: string; address: string; queueId: string }> {
  const domainName = { value: "" };
  let stage: "queue" | "route" = "queue";
  try {
    return await db.$transaction(async (tx) => {
      const queueId = input.queueId === NEW_QUEUE ? (await insertCatalogueEntry(tx, actor, "queue", { name: input.newQueueName.trim() })).id : input.queueId;
      stage = "route";
      const values = createRouteSchema.parse({ domainId: input.domainId, pattern: input.pattern, queueId, fromName: input.fromName });
      const route = await insertRoute(tx, actor, values, limits, domainName);
      return { id: route.id, address: route.address, queueId };
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (stage === "queue") throw catalogueWriteError("queue", input.newQueueName.trim(), error, "newQueueName");
    throw routeWriteError(error, input.pattern, domainName.value);
  }
}

"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import { createQueueSchema, deleteQueueSchema, updateQueueSchema } from "@/lib/routing/queue-schemas";
import { createQueue, deleteQueue, updateQueue } from "@/lib/routing/queues";

export const createQueueAction = defineAction(
  { name: "createQueue", ability: "manage", input: createQueueSchema },
  async (input, { actor, db }) => {
    const queue = await createQueue(db, actor.organizationId, input);
    revalidatePath("/queues");
    return { id: queue.id, name: queue.name };
  },
);

export const updateQueueAction = defineAction(
  { name: "updateQueue", ability: "manage", input: updateQueueSchema },
  async (input, { actor, db }) => {
    const queue = await updateQueue(db, actor.organizationId, input);
    revalidatePath("/queues");
    return { id: queue.id, name: queue.name, version: queue.version };
  },
);

export const deleteQueueAction = defineAction(
  { name: "deleteQueue", ability: "manage", input: deleteQueueSchema },
  async (input, { actor, db }) => {
    await deleteQueue(db, actor.organizationId, input.id);
    revalidatePath("/queues");
    return { id: input.id };
  },
);

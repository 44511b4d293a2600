import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

/** Shared by the queue forms and the server actions that receive them. */
export const queueNameSchema = plainText()
  .trim()
  .min(1, "Enter a queue name")
  .max(120, "Use at most 120 characters");

export const createQueueSchema = z.object({
  name: queueNameSchema,
  description: plainText().trim().max(500, "Use at most 500 characters").default(""),
});
export type CreateQueueInput = z.input<typeof createQueueSchema>;

export const updateQueueSchema = createQueueSchema.extend({
  id: z.uuid("Unknown queue"),
  version: z.coerce.number().int().min(1),
});
export type UpdateQueueInput = z.input<typeof updateQueueSchema>;

export const deleteQueueSchema = z.object({ id: z.uuid("Unknown queue") });

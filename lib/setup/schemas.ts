import { z } from "zod";

import { SCENARIOS } from "@/lib/domains/types";
import { queueNameSchema } from "@/lib/queues/schemas";
import { createRouteSchema, patternField } from "@/lib/routes/schemas";
import { plainText } from "@/lib/validation/plain-text";

import { WIZARD_STEPS } from "./types";

/** The wizard's saved progress, shared by the wizard and the action that saves it. */
const yesNo = z.boolean().nullable().default(null);

export const wizardDataSchema = z.object({
  answers: z
    .object({ existingAddresses: yesNo, onSubdomain: yesNo, needCopies: yesNo, canEditDns: yesNo })
    .default({ existingAddresses: null, onSubdomain: null, needCopies: null, canEditDns: null }),
  /** Scenarios 2 and 4: the domain customers write to today (e.g. acme.com). */
  originalDomain: plainText().trim().max(253).default(""),
});
export type WizardData = z.output<typeof wizardDataSchema>;

export const saveWizardSchema = z.object({
  /** The run to save; absent or null for a new run (the admin left the scenario step of a fresh set-up). */
  runId: z.uuid().nullable().optional(),
  step: z.enum(WIZARD_STEPS),
  scenario: z.enum(SCENARIOS).nullable().optional(),
  data: wizardDataSchema.optional(),
  /** Only accepted if it is one of the organisation's domains. */
  domainId: z.uuid().nullable().optional(),
});
export type SaveWizardInput = z.input<typeof saveWizardSchema>;

/** "Discard" in the list of unfinished set-ups, and "Start over". */
export const discardSetupRunSchema = z.object({ runId: z.uuid("Unknown set-up") });

/**
 * The Addresses step: an address, the queue it goes to (an existing one, or a new one to create
 * with it) and the sender name, checked together so every problem shows at once and nothing is
 * created while one remains.
 */
export const NEW_QUEUE = "__new__";

export const addWizardAddressSchema = z
  .object({
    domainId: z.uuid("Register a domain first"),
    pattern: patternField,
    queueId: z.union([z.uuid(), z.literal(NEW_QUEUE), z.literal("")], { error: "Choose a queue" }),
    newQueueName: plainText().default(""),
    fromName: createRouteSchema.shape.fromName,
  })
  .superRefine(
    (input, ctx) => {
      if (input.queueId === "") ctx.addIssue({ code: "custom", path: ["queueId"], message: "Choose a queue, or create a new one" });
      if (input.queueId !== NEW_QUEUE) return;
      const name = queueNameSchema.safeParse(input.newQueueName);
      if (!name.success) ctx.addIssue({ code: "custom", path: ["newQueueName"], message: name.error.issues[0]?.message ?? "Enter a queue name" });
    },
    { when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === "queueId" || !issue.path?.length) },
  );
export type AddWizardAddressInput = z.input<typeof addWizardAddressSchema>;

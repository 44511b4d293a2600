import { z } from "zod";

import { SCENARIOS } from "@/lib/domains/types";
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
  step: z.enum(WIZARD_STEPS),
  scenario: z.enum(SCENARIOS).nullable().optional(),
  data: wizardDataSchema.optional(),
  /** Only accepted if it is one of the organisation's domains. */
  domainId: z.uuid().nullable().optional(),
});
export type SaveWizardInput = z.input<typeof saveWizardSchema>;

export const resetWizardSchema = z.object({});

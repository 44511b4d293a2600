"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { getDomain } from "@/lib/domains/domains";
import { resetWizardState, saveWizardState } from "@/lib/setup/wizard";
import { saveWizardSchema } from "@/lib/setup/wizard-schemas";

export const saveWizardAction = defineAction(
  { name: "saveWizard", ability: "manage", input: saveWizardSchema.extend({ domainId: z.uuid().nullable().optional() }) },
  async (input, { actor, db }) => {
    // A domain id from the browser is only accepted if it is one of this organisation's.
    if (input.domainId) await getDomain(db, actor.organizationId, input.domainId);
    await saveWizardState(db, actor, {
      step: input.step,
      ...(input.scenario !== undefined ? { scenario: input.scenario } : {}),
      ...(input.domainId !== undefined ? { domainId: input.domainId } : {}),
      ...(input.data ? { data: input.data } : {}),
    });
    return { step: input.step };
  },
);

export const resetWizardAction = defineAction(
  { name: "resetWizard", ability: "manage", input: z.object({}) },
  async (_input, { actor, db }) => {
    await resetWizardState(db, actor);
    return { reset: true };
  },
);

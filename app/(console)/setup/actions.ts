"use server";

import { defineAction } from "@/lib/actions/define-action";
import { resetWizard } from "@/lib/setup/commands/reset-wizard";
import { saveWizardProgress } from "@/lib/setup/commands/save-wizard-progress";
import { resetWizardSchema, saveWizardSchema } from "@/lib/setup/schemas";

export const saveWizardAction = defineAction({ name: "saveWizard", ability: "manage", input: saveWizardSchema }, async (input, { actor, db }) =>
  saveWizardProgress(db, actor, input),
);

export const resetWizardAction = defineAction({ name: "resetWizard", ability: "manage", input: resetWizardSchema }, async (_input, { actor, db }) =>
  resetWizard(db, actor),
);

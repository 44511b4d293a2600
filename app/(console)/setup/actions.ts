"use server";

import { defineAction } from "@/lib/actions/define-action";
import { getConfig } from "@/lib/config/env";
import { addWizardAddress } from "@/lib/setup/commands/add-wizard-address";
import { discardSetupRun } from "@/lib/setup/commands/discard-setup-run";
import { saveWizardProgress } from "@/lib/setup/commands/save-wizard-progress";
import { addWizardAddressSchema, discardSetupRunSchema, saveWizardSchema } from "@/lib/setup/schemas";

export const saveWizardAction = defineAction({ name: "saveWizard", ability: "manage", input: saveWizardSchema }, async (input, { actor, db }) =>
  saveWizardProgress(db, actor, input),
);

export const discardSetupRunAction = defineAction(
  { name: "discardSetupRun", ability: "manage", input: discardSetupRunSchema },
  async (input, { actor, db }) => discardSetupRun(db, actor, input.runId),
);

/** The Addresses step: the route and, when asked for, its new queue, as one change. */
export const addWizardAddressAction = defineAction(
  { name: "addWizardAddress", ability: "manage", input: addWizardAddressSchema },
  async (input, { actor, db }) => addWizardAddress(db, actor, input, { maxRoutesPerDomain: getConfig().MAX_ROUTES_PER_DOMAIN }),
);

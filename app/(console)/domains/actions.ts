"use server";

import { revalidatePath } from "next/cache";

import { defineAction } from "@/lib/actions/define-action";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { addDomain } from "@/lib/domains/commands/add-domain";
import { checkDomain } from "@/lib/domains/commands/check-domain";
import { deleteDomain } from "@/lib/domains/commands/delete-domain";
import { refreshDomain } from "@/lib/domains/commands/refresh-domain";
import { restartDomainVerification } from "@/lib/domains/commands/restart-domain-verification";
import { probeDomainDns } from "@/lib/domains/dns-problem";
import { checkCustomDomainAvailability, checkPlatformLabelAvailability, getDomainView } from "@/lib/domains/queries";
import {
  addDomainSchema,
  checkDomainSchema,
  deleteDomainSchema,
  domainAvailabilitySchema,
  domainIdSchema,
  platformLabelAvailabilitySchema,
} from "@/lib/domains/schemas";
import { monitoringSettingsFrom } from "@/lib/domains/check-schedule";
import { domainDependencies, platformSettings } from "@/lib/domains/settings";
import { domainFollowUps, verificationOptions } from "@/lib/jobs/domain-checks";
import { addWizardDomain } from "@/lib/setup/commands/add-wizard-domain";

/** The grace period the views count down (CHECK_GRACE_PERIOD). */
function viewPolicy() {
  return monitoringSettingsFrom(getConfig()).policy;
}

export const checkDomainAvailabilityAction = defineAction(
  { name: "checkDomainAvailability", ability: "manage", input: domainAvailabilitySchema },
  async (input, { actor, db }) =>
    checkCustomDomainAvailability(db, actor.organizationId, input.domain, platformSettings(getConfig()), async (name) =>
      probeDomainDns(name, await verificationOptions()),
    ),
);

export const checkPlatformLabelAvailabilityAction = defineAction(
  { name: "checkPlatformLabelAvailability", ability: "manage", input: platformLabelAvailabilitySchema },
  async (input, { actor, db }) => checkPlatformLabelAvailability(db, actor.organizationId, input.label, platformSettings(getConfig())),
);

export const registerDomainAction = defineAction({ name: "registerDomain", ability: "manage", input: addDomainSchema }, async (input, { actor, db }) => {
  const deps = domainDependencies(getConfig());
  const { id } = input.fromWizard
    ? await addWizardDomain(db, actor, input, deps, domainFollowUps)
    : await addDomain(db, actor, input, deps, { followUps: domainFollowUps });
  revalidatePath("/domains");
  return getDomainView(db, actor.organizationId, id);
});

/** "Check now": asks DNS again, whatever the last result. */
export const checkDomainNowAction = defineAction({ name: "checkDomainNow", ability: "manage", input: checkDomainSchema }, async (input, { actor, db }) => {
  const view = await checkDomain(db, actor.organizationId, input, () => verificationOptions(), viewPolicy());
  revalidatePath("/domains");
  return view;
});

/**
 * The verification panel's polling while a domain is pending. Viewers poll too, but only read what
 * the last check stored: a check changes the status and sends notifications and webhooks, which
 * needs the manage permission (as "Check now" does).
 */
export const refreshDomainAction = defineAction({ name: "refreshDomain", ability: "view", input: domainIdSchema }, async (input, { actor, db }) =>
  refreshDomain(db, actor.organizationId, input.domainId, can(actor, "manage"), () => verificationOptions(), new Date(), viewPolicy()),
);

export const deleteDomainAction = defineAction({ name: "deleteDomain", ability: "manage", input: deleteDomainSchema }, async (input, { actor, db }) => {
  const deleted = await deleteDomain(db, actor, input);
  revalidatePath("/domains");
  revalidatePath("/routes");
  return deleted;
});

export const restartVerificationAction = defineAction({ name: "restartVerification", ability: "manage", input: domainIdSchema }, async (input, { actor, db }) => {
  await restartDomainVerification(db, actor, input.domainId, domainFollowUps);
  revalidatePath("/domains");
  return getDomainView(db, actor.organizationId, input.domainId);
});

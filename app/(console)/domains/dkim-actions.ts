"use server";

import { revalidatePath } from "next/cache";

import { defineAction, type ActionContext } from "@/lib/actions/define-action";
import { getConfig } from "@/lib/config/env";
import { discardDkimKey } from "@/lib/domains/dkim/commands/discard-dkim-key";
import { rotateDkimKey } from "@/lib/domains/dkim/commands/rotate-dkim-key";
import { runDkimSelfTest } from "@/lib/domains/dkim/commands/run-dkim-self-test";
import { switchDkimKey } from "@/lib/domains/dkim/commands/switch-dkim-key";
import { getDkimPanel } from "@/lib/domains/dkim/queries";
import { dkimDomainSchema, dkimKeySchema } from "@/lib/domains/dkim/schemas";
import { dkimSettingsFrom } from "@/lib/domains/dkim/settings";
import type { DkimActionResult } from "@/lib/domains/dkim/types";
import { getDomainView } from "@/lib/domains/queries";

/** The panel and the domain as they are after an action: DKIM verdicts and the records list may have moved. */
async function dkimState(domainId: string, { actor, db }: ActionContext): Promise<DkimActionResult> {
  const settings = await dkimSettingsFrom(getConfig());
  const [panel, domain] = await Promise.all([
    getDkimPanel(db, actor.organizationId, domainId, settings),
    getDomainView(db, actor.organizationId, domainId),
  ]);
  return { panel, domain };
}

/** The DKIM panel as stored (it follows the verification panel's checks). */
export const dkimPanelAction = defineAction({ name: "dkimPanel", ability: "view", input: dkimDomainSchema }, async (input, { actor, db }) =>
  getDkimPanel(db, actor.organizationId, input.domainId, await dkimSettingsFrom(getConfig())),
);

/** "Run DKIM self-test": signs and verifies now. Its results change DKIM verdicts, so it needs the manage permission like "Check now". */
export const runDkimSelfTestAction = defineAction({ name: "runDkimSelfTest", ability: "manage", input: dkimDomainSchema }, async (input, context) => {
  await runDkimSelfTest(context.db, context.actor.organizationId, input.domainId, await dkimSettingsFrom(getConfig()));
  revalidatePath("/domains");
  return dkimState(input.domainId, context);
});

export const rotateDkimKeyAction = defineAction({ name: "rotateDkimKey", ability: "manage", input: dkimDomainSchema }, async (input, context) => {
  await rotateDkimKey(context.db, context.actor, input.domainId, await dkimSettingsFrom(getConfig()));
  revalidatePath("/domains");
  return dkimState(input.domainId, context);
});

export const switchDkimKeyAction = defineAction({ name: "switchDkimKey", ability: "manage", input: dkimKeySchema }, async (input, context) => {
  await switchDkimKey(context.db, context.actor, input, await dkimSettingsFrom(getConfig()));
  revalidatePath("/domains");
  return dkimState(input.domainId, context);
});

export const discardDkimKeyAction = defineAction({ name: "discardDkimKey", ability: "manage", input: dkimKeySchema }, async (input, context) => {
  await discardDkimKey(context.db, context.actor, input);
  revalidatePath("/domains");
  return dkimState(input.domainId, context);
});

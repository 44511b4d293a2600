import type { Metadata } from "next";

import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { SetupWizard } from "@/components/setup/setup-wizard";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { readSetupPage } from "@/lib/setup/queries";

export const metadata: Metadata = { title: "Setup" };

export default async function SetupPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const { state, domain, routes, queues } = await readSetupPage(actor);
  return (
    <>
      <PageHeader
        title="Set up inbound email"
        description="Choose how customers reach you, prove you own the domain, and map addresses to queues. Your progress is saved as you go."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <SetupWizard
        initialStep={state.step}
        initialScenario={state.scenario}
        initialDomain={domain}
        initialData={state.data}
        routes={routes}
        queues={queues}
        platformDomain={getConfig().PLATFORM_DOMAIN}
        defaultFromName={actor.organizationName}
        canManage={canManage}
      />
    </>
  );
}

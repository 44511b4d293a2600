import type { Metadata } from "next";

import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { SetupWizard } from "@/components/setup/setup-wizard";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { readSetupPage } from "@/lib/setup/queries";

export const metadata: Metadata = { title: "Setup" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/setup` starts a new set-up ("Add a domain"); `/setup?run=<id>` continues an unfinished one. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const run = (await searchParams).run;
  const runId = typeof run === "string" && UUID.test(run) ? run : undefined;
  const { state, runGone, openRuns, domain, routes, queues, redirects } = await readSetupPage(actor, runId);
  return (
    <>
      <PageHeader
        title="Set up inbound email"
        description="Choose how customers reach you, prove you own the domain, and map addresses to queues. Your progress is saved as you go."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <SetupWizard
        runId={state.runId}
        runGone={runGone}
        openRuns={openRuns}
        redirects={redirects}
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

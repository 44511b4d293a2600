import type { Metadata } from "next";

import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { SetupWizard } from "@/components/wizard/setup-wizard";
import type { WizardRoute } from "@/components/wizard/addresses-step";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { getDomain } from "@/lib/domains/domains";
import { buildDomainView } from "@/lib/domains/view";
import { NotFoundError } from "@/lib/errors";
import { listQueues } from "@/lib/queues/queries";
import { listDomainRoutes } from "@/lib/routes/queries";
import { getWizardState } from "@/lib/setup/wizard";

export const metadata: Metadata = { title: "Setup" };

export default async function SetupPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const db = getDb();
  const state = await getWizardState(db, actor);
  const domain = state.domainId
    ? await getDomain(db, actor.organizationId, state.domainId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      })
    : null;
  const [view, queues, routes] = await Promise.all([
    domain ? buildDomainView(db, domain) : null,
    listQueues(db, actor.organizationId),
    domain ? listDomainRoutes(db, actor.organizationId, domain.id, { limit: 200 }) : [],
  ]);
  const wizardRoutes: WizardRoute[] = routes.map((route) => ({
    id: route.id,
    pattern: route.pattern,
    address: route.address,
    queueName: route.queueName,
    status: route.status,
  }));
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
        initialDomain={view}
        initialData={state.data}
        routes={wizardRoutes}
        queues={queues.map((queue) => ({ id: queue.id, name: queue.name }))}
        platformDomain={getConfig().PLATFORM_DOMAIN}
        defaultFromName={actor.organizationName}
        canManage={canManage}
      />
    </>
  );
}

import type { Metadata } from "next";

import { CATALOGUE_TABS, CatalogueTabs, type CatalogueTab } from "@/components/queues/catalogue-tabs";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { queuesPageView } from "@/lib/queues/queries";

export const metadata: Metadata = { title: "Queues" };

export default async function QueuesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const requested = (await searchParams).tab;
  const tab: CatalogueTab = typeof requested === "string" && requested in CATALOGUE_TABS ? (requested as CatalogueTab) : "queues";
  const catalogues = await queuesPageView(actor);
  return (
    <>
      <PageHeader
        title="Queues"
        description="The catalogues routes draw from: queues where email lands, and the skills and languages a route can ask of the agents who answer it."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <CatalogueTabs initialTab={tab} canManage={canManage} catalogues={catalogues} />
    </>
  );
}

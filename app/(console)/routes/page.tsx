import type { Metadata } from "next";

import { RouteTester } from "@/components/routes/route-tester";
import { RoutesWorkspace } from "@/components/routes/routes-workspace";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { routesPageView } from "@/lib/routes/queries";
import { listRoutesQuerySchema } from "@/lib/routes/schemas";
import { ignoredParams } from "@/lib/validation/ignored-params";

export const metadata: Metadata = { title: "Routes" };

export default async function RoutesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const raw = await searchParams;
  const params = Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === "string"));
  // A search the list cannot run (control characters) is left out rather than failing the page.
  const parsed = listRoutesQuerySchema.safeParse(params);
  const query = parsed.success ? parsed.data : listRoutesQuerySchema.parse({ ...params, q: undefined });
  // The rows render while the total is still being counted; the pager shows it when it comes.
  const { lookups, page, total } = await routesPageView(actor, query);
  return (
    <>
      <PageHeader
        title="Routes"
        description="Which queue each email address delivers into. A route receives mail once its domain is verified."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <RouteTester canManage={canManage} />
      <RoutesWorkspace
        canManage={canManage}
        lookups={lookups}
        initialQuery={{ ...query, page: page.page }}
        initialPage={{ ...page, total }}
        ignored={ignoredParams(raw, query, ["q", "domain", "queue", "status"])}
      />
    </>
  );
}

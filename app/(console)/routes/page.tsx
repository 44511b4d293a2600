import type { Metadata } from "next";

import { RouteTester } from "@/components/routes/route-tester";
import { RoutesWorkspace } from "@/components/routes/routes-workspace";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { countRecentMessages } from "@/lib/messages/queries";
import { listCatalogueEntries } from "@/lib/routing/catalogues";
import { listRoutes } from "@/lib/routing/route-list";
import { listRoutesQuerySchema } from "@/lib/routing/route-schemas";

export const metadata: Metadata = { title: "Routes" };

export default async function RoutesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const raw = await searchParams;
  const params = Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === "string"));
  // A search the list cannot run (control characters) is left out rather than failing the page.
  const parsed = listRoutesQuerySchema.safeParse(params);
  const query = parsed.success ? parsed.data : listRoutesQuerySchema.parse({ ...params, q: undefined });
  const db = getDb();
  const { organizationId } = actor;
  const [domains, queues, skills, languages, page] = await Promise.all([
    db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: { id: true, displayName: true, status: true } }),
    listCatalogueEntries(db, organizationId, "queue"),
    listCatalogueEntries(db, organizationId, "skill"),
    listCatalogueEntries(db, organizationId, "language"),
    listRoutes(db, organizationId, query),
  ]);
  const recentMessages = await countRecentMessages(actor, "route", page.rows.map((route) => route.id));
  const lookups = {
    domains: domains.map((domain) => ({ id: domain.id, name: domain.displayName, status: domain.status })),
    queues: queues.map(({ id, name }) => ({ id, name })),
    skills: skills.map(({ id, name }) => ({ id, name })),
    languages: languages.map(({ id, name }) => ({ id, name })),
  };
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
        initialPage={{ ...page, recentMessages }}
      />
    </>
  );
}

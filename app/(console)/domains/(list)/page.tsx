import { Globe, Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { RelativeTime } from "@/components/domains/relative-time";
import { DomainStatusBadge, GROUP_LABELS, VerdictBadge } from "@/components/domains/status-badges";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { listDomains } from "@/lib/domains/domains";
import { SCENARIO_INFO } from "@/lib/domains/scenarios";
import { summarizeGroups } from "@/lib/domains/view";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const db = getDb();
  const [domains, routeCounts] = await Promise.all([
    listDomains(db, actor.organizationId),
    db.route.groupBy({ by: ["domainId"], where: { organizationId: actor.organizationId }, _count: { _all: true } }),
  ]);
  const routesByDomain = new Map(routeCounts.map((row) => [row.domainId, row._count._all]));
  const addDomain = canManage ? (
    <Link href="/setup" className={buttonVariants()}>
      <Plus aria-hidden /> Add a domain
    </Link>
  ) : null;
  return (
    <>
      <PageHeader title="Domains" description="The domains customers write to, with the DNS records that prove you own them." actions={addDomain} />
      {canManage ? null : <ReadOnlyNotice />}
      {domains.length === 0 ? (
        <EmptyState icon={Globe} title="No domains yet" action={addDomain}>
          Register your own domain or a name under the platform domain through Setup. Each appears here with the status of its DNS records.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full min-w-[56rem] text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">Domain</th>
                <th scope="col" className="px-3 py-2 font-medium">Status</th>
                <th scope="col" className="px-3 py-2 font-medium">{GROUP_LABELS.ownership}</th>
                <th scope="col" className="px-3 py-2 font-medium">{GROUP_LABELS.inbound}</th>
                <th scope="col" className="px-3 py-2 font-medium">{GROUP_LABELS.sending}</th>
                <th scope="col" className="px-3 py-2 font-medium">Last checked</th>
                <th scope="col" className="px-5 py-2 text-right font-medium">Routes</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {domains.map((domain) => {
                const groups = summarizeGroups(domain.records);
                const info = SCENARIO_INFO[domain.scenario];
                return (
                  <tr key={domain.id} className="align-top">
                    <td className="px-5 py-3">
                      <Link href={`/domains/${domain.name}`} className="font-medium text-brand-700 hover:underline">
                        {domain.displayName}
                      </Link>
                      {domain.displayName !== domain.name ? <p className="font-mono text-xs text-slate-500">{domain.name}</p> : null}
                      <p className="text-xs text-slate-500">
                        {domain.kind === "platform" ? "Platform domain" : "Own domain"} · Scenario {info.number}: {info.title}
                      </p>
                    </td>
                    <td className="px-3 py-3"><DomainStatusBadge status={domain.status} /></td>
                    <td className="px-3 py-3"><VerdictBadge verdict={groups.ownership} label={GROUP_LABELS.ownership} /></td>
                    <td className="px-3 py-3"><VerdictBadge verdict={groups.inbound} label={GROUP_LABELS.inbound} /></td>
                    <td className="px-3 py-3"><VerdictBadge verdict={groups.sending} label={GROUP_LABELS.sending} /></td>
                    <td className="px-3 py-3 text-slate-600">
                      {domain.kind === "platform" ? "—" : <RelativeTime iso={domain.lastCheckedAt?.toISOString() ?? null} />}
                    </td>
                    <td className="px-5 py-3 text-right">
                      <Link href={`/routes?domain=${domain.id}`} className="text-brand-700 hover:underline">
                        {routesByDomain.get(domain.id) ?? 0}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

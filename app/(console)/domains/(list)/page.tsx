import { Globe, Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { DomainSubtitle } from "@/components/domains/domain-subtitle";
import { RelativeTime } from "@/components/ui/local-time";
import { DomainStatusBadge, GROUP_LABELS, VerdictBadge } from "@/components/domains/status-badges";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { readDomainList } from "@/lib/domains/queries";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const domains = await readDomainList(actor.organizationId);
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
              {domains.map((domain) => (
                <tr key={domain.id} className="align-top">
                  <td className="px-5 py-3">
                    <Link href={`/domains/${domain.name}`} className="font-medium text-brand-700 hover:underline">
                      {domain.displayName}
                    </Link>
                    <DomainSubtitle domain={domain} compact />
                  </td>
                  <td className="px-3 py-3"><DomainStatusBadge status={domain.status} /></td>
                  <td className="px-3 py-3"><VerdictBadge verdict={domain.groups.ownership} label={GROUP_LABELS.ownership} /></td>
                  <td className="px-3 py-3"><VerdictBadge verdict={domain.groups.inbound} label={GROUP_LABELS.inbound} /></td>
                  <td className="px-3 py-3"><VerdictBadge verdict={domain.groups.sending} label={GROUP_LABELS.sending} /></td>
                  <td className="px-3 py-3 text-slate-600">
                    {domain.kind === "platform" ? "—" : <RelativeTime iso={domain.lastCheckedAt} />}
                  </td>
                  <td className="px-5 py-3 text-right">
                    <Link href={`/routes?domain=${domain.id}`} className="text-brand-700 hover:underline">
                      {domain.routeCount}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

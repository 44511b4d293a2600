"use client";

import { DataTable, type DataColumn } from "@/components/data-table/data-table";
import { DomainSubtitle } from "@/components/domains/domain-subtitle";
import { DomainStatusBadge, GROUP_LABELS, VerdictBadge } from "@/components/domains/status-badges";
import { Link } from "@/components/ui/link";
import { RelativeTime } from "@/components/ui/local-time";
import type { DomainListItem } from "@/lib/domains/types";

const GROUPS = ["ownership", "inbound", "sending"] as const;

const COLUMNS: DataColumn<DomainListItem>[] = [
  {
    id: "domain",
    header: "Domain",
    enableHiding: false,
    cell: ({ row: { original: domain } }) => (
      <>
        <Link href={`/domains/${domain.name}`} className="font-medium text-brand-700 hover:underline">
          {domain.displayName}
        </Link>
        <DomainSubtitle domain={domain} compact />
      </>
    ),
  },
  { id: "status", header: "Status", enableHiding: false, cell: ({ row }) => <DomainStatusBadge status={row.original.status} /> },
  ...GROUPS.map(
    (group): DataColumn<DomainListItem> => ({
      id: group,
      header: GROUP_LABELS[group],
      // On a phone the status says it in one word; the three checks are on the domain's page.
      meta: { hideBelow: "lg" },
      cell: ({ row }) => <VerdictBadge verdict={row.original.groups[group]} label={GROUP_LABELS[group]} />,
    }),
  ),
  {
    id: "lastChecked",
    header: "Last checked",
    meta: { hideBelow: "md", className: "text-slate-600" },
    cell: ({ row: { original: domain } }) => (domain.kind === "platform" ? "—" : <RelativeTime iso={domain.lastCheckedAt} />),
  },
  {
    id: "routes",
    header: "Routes",
    meta: { className: "text-right" },
    cell: ({ row: { original: domain } }) => (
      <Link href={`/routes?domain=${domain.id}`} className="text-brand-700 hover:underline">
        {domain.routeCount}
      </Link>
    ),
  },
];

/** The organisation's domains with where each stands; every name leads to its records. */
export function DomainTable({ domains }: { domains: DomainListItem[] }) {
  return <DataTable columns={COLUMNS} data={domains} getRowId={(domain) => domain.id} caption="Domains" empty="No domains yet" hideable rowTestId="domain-row" />;
}

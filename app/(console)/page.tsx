import { ArrowRight, Globe, Inbox, ListOrdered } from "lucide-react";
import type { Metadata } from "next";

import { DomainStatusBadge } from "@/components/domains/status-badges";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { readOverview } from "@/lib/dashboard/queries";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requirePageAccess("view");
  const { domainCount, routeCount, queueCount, attention } = await readOverview(actor.organizationId);
  const stats = [
    { label: "Domains", value: domainCount, href: "/domains", icon: Globe },
    { label: "Routes", value: routeCount, href: "/routes", icon: ListOrdered },
    { label: "Queues", value: queueCount, href: "/queues", icon: Inbox },
  ];
  return (
    <>
      <PageHeader title="Overview" description={`Inbound email routing for ${actor.organizationName}.`} />
      {can(actor, "manage") ? null : <ReadOnlyNotice />}
      <div className="grid gap-4 sm:grid-cols-3">
        {stats.map(({ label, value, href, icon: Icon }) => (
          <Link key={label} href={href} className="group rounded-lg">
            <Card className="transition-shadow group-hover:shadow-md">
              <CardBody className="flex items-center justify-between">
                <div>
                  <p className="text-sm text-slate-600">{label}</p>
                  <p className="mt-1 text-2xl font-semibold text-slate-900">{value}</p>
                </div>
                <Icon className="size-6 text-brand-600" aria-hidden />
              </CardBody>
            </Card>
          </Link>
        ))}
      </div>
      {attention.length > 0 ? (
        <Card className="mt-6">
          <CardBody>
            <h2 className="mb-3 text-base font-semibold text-slate-900">Domains that need attention</h2>
            <ul className="divide-y divide-slate-100">
              {attention.map((domain) => (
                <li key={domain.id} className="flex items-center justify-between gap-3 py-2">
                  <Link href={`/domains/${domain.name}`} className="font-medium text-brand-700 hover:underline">
                    {domain.displayName}
                  </Link>
                  <DomainStatusBadge status={domain.status} />
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
      ) : null}
      <Card className="mt-6">
        <CardBody className="flex flex-wrap items-center justify-between gap-4">
          <div>
            <h2 className="text-base font-semibold text-slate-900">Set up inbound email</h2>
            <p className="mt-1 max-w-2xl text-sm text-slate-600">
              Choose how customers reach you (your own domain or the platform domain, with or without copies on your own
              mail server), verify the domain, and map addresses to queues.
            </p>
          </div>
          <Link href="/setup" className={buttonVariants()}>
            Start set-up <ArrowRight aria-hidden />
          </Link>
        </CardBody>
      </Card>
    </>
  );
}

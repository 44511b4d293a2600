import { ArrowRight, Globe, Inbox, ListOrdered } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requirePageAccess("view");
  const queueCount = await getDb().queue.count({ where: { organizationId: actor.organizationId } });
  const stats = [
    { label: "Domains", value: 0, href: "/domains", icon: Globe },
    { label: "Routes", value: 0, href: "/routes", icon: ListOrdered },
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

import { ArrowLeft, ListOrdered } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { DkimPanel } from "@/components/domains/dkim-panel";
import { DeleteDomainButton, RestartVerificationButton } from "@/components/domains/domain-actions";
import { DnsRecords } from "@/components/domains/dns-records";
import { DomainSubtitle } from "@/components/domains/domain-subtitle";
import { ShareLinksPanel } from "@/components/domains/share-links-panel";
import { DomainStatusBadge } from "@/components/domains/status-badges";
import { VerificationPanel } from "@/components/domains/verification-panel";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { TestMessagePanel } from "@/components/test-messages/test-message-panel";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { monitoringSettingsFrom } from "@/lib/domains/check-schedule";
import { readDomainPage } from "@/lib/domains/queries";
import { readTestMessagePanel } from "@/lib/test-messages/queries";

export const metadata: Metadata = { title: "Domain" };

export default async function DomainPage({ params }: { params: Promise<{ domain: string }> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const data = await readDomainPage(actor.organizationId, (await params).domain, {
    retiringPeriodMs: getConfig().DKIM_RETIRING_PERIOD,
    graceHours: monitoringSettingsFrom(getConfig()).policy.graceHours,
  });
  if (!data) notFound();
  const { domain: view, routeCount, dkim, shareLinks } = data;
  const testMessages = await readTestMessagePanel(actor.organizationId, view.id);

  return (
    <>
      <Link href="/domains" className="mb-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> All domains
      </Link>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900">
            {view.displayName} <DomainStatusBadge status={view.status} />
          </h1>
          <DomainSubtitle domain={view} />
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={`/routes?domain=${view.id}`} className={buttonVariants({ variant: "secondary" })}>
            <ListOrdered aria-hidden /> {routeCount} {routeCount === 1 ? "route" : "routes"}
          </Link>
          <Link href={`/messages?domain=${view.id}`} className={buttonVariants({ variant: "secondary" })}>Messages</Link>
          {view.status === "failed" ? <RestartVerificationButton domainId={view.id} canManage={canManage} /> : null}
          <DeleteDomainButton domain={view} routeCount={routeCount} canManage={canManage} />
        </div>
      </div>
      {canManage ? null : <ReadOnlyNotice />}
      {view.status === "failed" ? (
        <Alert tone="danger" title="Verification gave up" className="mb-6">
          We looked for the ownership and MX records for 72 hours without finding them. Check the records below with your DNS host, then restart
          verification.
        </Alert>
      ) : null}
      {view.kind === "platform" ? (
        <Card>
          <CardBody className="text-sm text-slate-700">
            This is a name under the platform domain, which we run: there is nothing to publish in DNS. Customers can write to any address you map
            to a queue, such as <span className="font-mono">support@{view.name}</span>.
          </CardBody>
        </Card>
      ) : (
        <div className="grid gap-6 xl:grid-cols-2">
          <div className="min-w-0 space-y-6">
            <VerificationPanel initial={view} canManage={canManage} />
            {dkim ? <DkimPanel initial={dkim} canManage={canManage} /> : null}
          </div>
          <div className="min-w-0 space-y-6 self-start">
            <Card className="min-w-0">
              <CardHeader title="Records to publish" description={`At the DNS host for ${view.zone}.`} />
              <CardBody>
                <DnsRecords domain={view} />
              </CardBody>
            </Card>
            <ShareLinksPanel domainId={view.id} domainName={view.displayName} initial={shareLinks} canManage={canManage} />
          </div>
        </div>
      )}
      <TestMessagePanel
        {...testMessages}
        canManage={canManage}
        unavailable={
          view.status === "pending" || view.status === "failed"
            ? "Test messages can be sent once the domain is verified: until then our gateway would not accept them."
            : undefined
        }
      />
    </>
  );
}

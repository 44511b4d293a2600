import { ArrowLeft, ListOrdered } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { DkimPanel } from "@/components/domains/dkim-panel";
import { DeleteDomainButton, RestartVerificationButton } from "@/components/domains/domain-actions";
import { DnsRecords } from "@/components/domains/dns-records";
import { DomainStatusBadge } from "@/components/domains/status-badges";
import { VerificationPanel } from "@/components/domains/verification-panel";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { TestMessagePanel } from "@/components/test-messages/test-message-panel";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { getDkimPanel } from "@/lib/dkim/queries";
import { findDomainByName, getDomain } from "@/lib/domains/domains";
import { SCENARIO_INFO } from "@/lib/domains/scenarios";
import { buildDomainView } from "@/lib/domains/view";
import { NotFoundError } from "@/lib/errors";
import { readTestMessagePanel } from "@/lib/test-messages/queries";

export const metadata: Metadata = { title: "Domain" };

/** `/domains/help.acme.com`, or by the domain's id; null for anything else (a 404). */
async function findDomain(organizationId: string, key: string) {
  const db = getDb();
  const decoded = safeDecode(key);
  if (decoded === null) return null;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(decoded)) {
    return getDomain(db, organizationId, decoded).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }
  return findDomainByName(db, organizationId, decoded);
}

/** A malformed escape such as `%ZZ` names no domain. */
function safeDecode(key: string): string | null {
  try {
    return decodeURIComponent(key);
  } catch {
    return null;
  }
}

export default async function DomainPage({ params }: { params: Promise<{ domain: string }> }) {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const db = getDb();
  const domain = await findDomain(actor.organizationId, (await params).domain);
  if (!domain) notFound();
  const [view, routeCount, testMessages, dkim] = await Promise.all([
    buildDomainView(db, domain),
    db.route.count({ where: { domainId: domain.id, organizationId: actor.organizationId } }),
    readTestMessagePanel(actor.organizationId, domain.id),
    domain.kind === "custom" ? getDkimPanel(db, actor.organizationId, domain.id, { retiringPeriodMs: getConfig().DKIM_RETIRING_PERIOD }) : null,
  ]);
  const scenario = SCENARIO_INFO[domain.scenario];

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
          {view.displayName !== view.name ? <p className="mt-1 font-mono text-sm text-slate-500">{view.name}</p> : null}
          <p className="mt-1 text-sm text-slate-600">
            {view.kind === "platform" ? "Platform domain" : "Your own domain"} · Scenario {scenario.number}: {scenario.title}
          </p>
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
          <Card className="min-w-0 self-start">
            <CardHeader title="Records to publish" description={`At the DNS host for ${view.zone}.`} />
            <CardBody>
              <DnsRecords domain={view} />
            </CardBody>
          </Card>
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

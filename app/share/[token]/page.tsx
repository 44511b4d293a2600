import { Mail } from "lucide-react";
import type { Metadata } from "next";
import { connection } from "next/server";

import { DnsRecords } from "@/components/domains/dns-records";
import { RelativeTime } from "@/components/ui/local-time";
import { ShareRefresh } from "@/components/domains/share-refresh";
import { DomainStatusBadge } from "@/components/domains/status-badges";
import { RecordChecks } from "@/components/domains/verification-panel";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { getConfig } from "@/lib/config/env";
import { monitoringSettingsFrom } from "@/lib/domains/check-schedule";
import { readSharedRecords } from "@/lib/domains/queries";

// The token is the whole credential: keep it out of search engines and out of Referer headers.
export const metadata: Metadata = { title: "DNS records", robots: { index: false, follow: false }, referrer: "no-referrer" };

/**
 * A records share link: one domain's records and their latest check, for whoever runs its DNS.
 * No sign-in and outside the console's layout; an unknown, revoked or expired link says only that.
 */
export default async function SharedRecordsPage({ params }: { params: Promise<{ token: string }> }) {
  await connection();
  const config = getConfig();
  const shared = await readSharedRecords((await params).token, { secretsKey: config.SECRETS_KEY, graceHours: monitoringSettingsFrom(config).policy.graceHours });
  return (
    <main className="mx-auto max-w-5xl px-4 py-8">
      <p className="mb-6 flex items-center gap-2 text-sm font-medium text-slate-600">
        <Mail className="size-4 text-brand-600" aria-hidden /> Email Routing Console · shared DNS records
      </p>
      {shared ? (
        <>
          <ShareRefresh />
          <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900">
            {shared.domain.displayName} <DomainStatusBadge status={shared.domain.status} />
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            Records to publish at the DNS host for <strong>{shared.domain.zone}</strong>. Last checked{" "}
            <RelativeTime iso={shared.domain.lastCheckedAt} fallback="not yet" />; this page follows the checks as they run. Link valid until{" "}
            <LocalTime value={shared.expiresAt} />.
          </p>
          <div className="mt-6 grid gap-6 xl:grid-cols-2">
            <Card className="min-w-0 self-start">
              <CardHeader title="Records to publish" />
              <CardBody>
                <DnsRecords domain={shared.domain} />
              </CardBody>
            </Card>
            <Card className="min-w-0 self-start">
              <CardHeader title="What the last check found" />
              <div className="px-5 pb-2">
                <RecordChecks view={shared.domain} />
              </div>
            </Card>
          </div>
        </>
      ) : (
        <div className="rounded-lg border border-slate-200 bg-white p-6">
          <h1 className="text-xl font-semibold text-slate-900">This link does not work</h1>
          <p className="mt-2 text-sm text-slate-600">It may have expired or been revoked. Ask whoever sent it for a new one.</p>
        </div>
      )}
    </main>
  );
}

import { CheckCircle2, Clock } from "lucide-react";

import { DomainStatusBadge, GROUP_LABELS, VerdictBadge } from "@/components/domains/status-badges";
import { buttonVariants } from "@/components/ui/button";
import { Link } from "@/components/ui/link";
import { TextList } from "@/components/ui/text-list";
import type { Scenario } from "@/lib/domains/types";
import { SCENARIO_INFO } from "@/lib/domains/scenarios";
import type { DomainView } from "@/lib/domains/types";
import type { WizardRoute } from "@/lib/setup/types";

/** What is configured, and what is still pending, in one place. */
export function FinishStep({
  scenario,
  domain,
  routes,
  redirectsFrom,
  onStartOver,
}: {
  scenario: Scenario;
  domain: DomainView;
  routes: WizardRoute[];
  redirectsFrom: string | null;
  onStartOver: () => void;
}) {
  const info = SCENARIO_INFO[scenario];
  const pending: string[] = [];
  if (domain.kind === "custom" && domain.status !== "verified") {
    pending.push(
      `${domain.displayName} is not verified yet: we keep checking its DNS records automatically for 72 hours and tell you when it is (or is not).`,
    );
  }
  if (domain.kind === "custom" && domain.groups.sending !== "verified") {
    pending.push("SPF and DKIM are not verified yet: replies can only be sent from this domain once they are.");
  }
  if (routes.length === 0) pending.push("No address is mapped to a queue yet.");
  if (info.advanced && routes.length > 0) {
    pending.push(`Create the redirect rule on your mail server for each address${redirectsFrom ? ` on ${redirectsFrom}` : ""} (see Redirect rules).`);
  }
  return (
    <div className="space-y-6">
      <section aria-labelledby="configured-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="configured-heading" className="mb-3 flex items-center gap-2 text-base font-semibold text-slate-900">
          <CheckCircle2 className="size-5 text-emerald-600" aria-hidden /> Configured
        </h2>
        <dl className="grid gap-3 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="text-slate-500">Scenario</dt>
          <dd>{info.number}. {info.title}</dd>
          <dt className="text-slate-500">Domain</dt>
          <dd className="flex flex-wrap items-center gap-2">
            <span className="font-mono">{domain.displayName}</span> <DomainStatusBadge status={domain.status} />
          </dd>
          {domain.kind === "custom"
            ? (["ownership", "inbound", "sending"] as const).map((group) => (
                <div key={group} className="contents">
                  <dt className="text-slate-500">{GROUP_LABELS[group]}</dt>
                  <dd><VerdictBadge verdict={domain.groups[group]} label={GROUP_LABELS[group]} /></dd>
                </div>
              ))
            : null}
          <dt className="text-slate-500">Addresses</dt>
          <dd>
            {routes.length === 0 ? "None yet" : (
              <ul className="space-y-1">
                {routes.map((route) => (
                  <li key={route.id}>
                    <span className="font-mono">{route.address}</span> → {route.queueName}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="pending-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="pending-heading" className="mb-3 flex items-center gap-2 text-base font-semibold text-slate-900">
          <Clock className="size-5 text-brand-600" aria-hidden /> {pending.length === 0 ? "Nothing pending" : "Still to do"}
        </h2>
        {pending.length === 0 ? (
          <p className="text-sm text-slate-700">Everything is in place: mail to these addresses is routed into their queues.</p>
        ) : (
          <TextList items={pending} className="list-disc space-y-1 pl-5 text-sm text-slate-800" />
        )}
      </section>
      <div className="flex flex-wrap gap-2">
        <Link href={`/domains/${domain.name}`} className={buttonVariants()}>Open the domain</Link>
        <Link href={`/routes?domain=${domain.id}`} className={buttonVariants({ variant: "secondary" })}>Manage routes</Link>
        <button type="button" onClick={onStartOver} className={buttonVariants({ variant: "ghost" })}>
          Set up another domain
        </button>
      </div>
    </div>
  );
}

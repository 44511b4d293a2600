"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Info, RefreshCw, XCircle } from "lucide-react";
import { useEffect, useRef } from "react";

import { checkDomainNowAction, refreshDomainAction } from "@/app/(console)/domains/actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CodeText } from "@/components/ui/code-text";
import { LocalTime, RelativeTime } from "@/components/ui/local-time";
import { TextList } from "@/components/ui/text-list";
import { WrappableName } from "@/components/ui/wrappable-name";
import { asActionResult, type ActionResult } from "@/lib/actions/result";
import { DOMAIN_WIDE_CODES, groupStates, mailDiversion, matchingMx, recordState, type MailDiversion, type RecordState } from "@/lib/domains/record-status";
import type { DnsProblem, DomainView, RecordView } from "@/lib/domains/types";

import { DomainStatusBadge, GROUP_LABELS, StateBadge } from "./status-badges";

const KIND_LABELS: Record<RecordView["kind"], string> = {
  ownership: "Ownership (TXT)",
  mx: "Inbound (MX)",
  spf: "SPF (TXT)",
  dkim: "DKIM (TXT)",
  dmarc: "DMARC (TXT, recommended)",
};

class ActionFailed extends Error {}

function unwrap(result: ActionResult<DomainView>): DomainView {
  if (!result.ok) throw new ActionFailed(result.error);
  return result.data;
}

/** Re-checks while pending: after 15 s, then doubling up to 5 minutes. Stops once it is not pending. */
export function pollInterval(view: DomainView | undefined, polls: number): number | false {
  if (!view || view.kind !== "custom" || view.status !== "pending") return false;
  return Math.min(15_000 * 2 ** Math.max(0, polls - 1), 300_000);
}

function SeverityIcon({ severity }: { severity: "error" | "warning" | "info" }) {
  if (severity === "error") return <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-label="Problem" />;
  if (severity === "warning") return <AlertTriangle className="mt-0.5 size-4 shrink-0 text-amber-600" aria-label="Warning" />;
  return <Info className="mt-0.5 size-4 shrink-0 text-brand-600" aria-label="Note" />;
}

const DKIM_STATE_NOTES = { active: "signing key", pending: "new key", retiring: "retiring key", retired: "retired key" } as const;

function recordLabel(record: RecordView): string {
  return record.dkim ? `${KIND_LABELS.dkim} · ${record.dkim.selector}, ${DKIM_STATE_NOTES[record.dkim.state]}` : KIND_LABELS[record.kind];
}

const STATE_HINTS: Partial<Record<RecordState, string>> = {
  wrong_value: "Something is published here, but not the expected value: change it as described below.",
  disappeared: "This record was verified earlier and is no longer found: it was removed or changed at the DNS host.",
  recommended: "Optional: mail is routed without it, but receivers trust your domain more with it.",
};

/** The found MX entry this record's host matched, or a note that none did. */
function MxMatch({ record }: { record: RecordView }) {
  if (record.verdict === "pending" || record.found.length === 0) return null;
  const matched = matchingMx(record);
  return (
    <>
      <dt className="text-slate-500">Matched</dt>
      <dd className="font-mono text-slate-800" data-testid="mx-match">
        {matched ?? <span className="font-sans text-slate-500">No MX record points to {record.value}</span>}
      </dd>
    </>
  );
}

function RecordResult({ record, checking, hideDomainWide }: { record: RecordView; checking: boolean; hideDomainWide: boolean }) {
  const expected = record.kind === "mx" ? `${record.preference} ${record.value}` : record.value;
  const selfTest = record.dkim?.selfTest;
  const state = recordState(record);
  const hint = STATE_HINTS[state];
  // A problem with the whole domain's DNS is said once, in the banner above the records.
  const diagnoses = hideDomainWide ? record.diagnoses.filter((diagnosis) => !DOMAIN_WIDE_CODES.has(diagnosis.code)) : record.diagnoses;
  return (
    <li className="py-4" data-record-kind={record.kind} data-verdict={record.verdict} data-state={state}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="text-sm font-medium text-slate-900">{recordLabel(record)}</p>
          <p className="break-words font-mono text-xs text-slate-600">
            <WrappableName value={record.name} />
          </p>
        </div>
        <StateBadge state={state} label={recordLabel(record)} checking={checking} />
      </div>
      {hint ? <p className="mt-2 text-xs text-slate-600">{hint}</p> : null}
      {state === "disappeared" && record.lastVerifiedAt ? (
        <p className="mt-1 text-xs text-slate-600">
          Last seen verified <RelativeTime iso={record.lastVerifiedAt} />.
        </p>
      ) : null}
      <dl className="mt-2 grid gap-1 text-xs sm:grid-cols-[6rem_1fr]">
        <dt className="text-slate-500">Expected</dt>
        <dd className="break-all font-mono text-slate-800">{expected}</dd>
        <dt className="text-slate-500">Found</dt>
        <dd className="break-all font-mono text-slate-800">
          {record.verdict === "pending" ? (
            <span className="font-sans text-slate-500">{checking ? "Checking…" : "Not checked yet"}</span>
          ) : record.verdict === "temporary_failure" && record.found.length === 0 ? (
            <span className="font-sans text-slate-500">Unknown: DNS gave no usable answer</span>
          ) : record.found.length === 0 ? (
            <span className="font-sans text-slate-500">Nothing</span>
          ) : (
            <ul>
              {record.found.map((value, index) => (
                <li key={index}>{value}</li>
              ))}
            </ul>
          )}
        </dd>
        {record.kind === "mx" ? <MxMatch record={record} /> : null}
      </dl>
      {selfTest && selfTest.outcome !== "pass" && record.dkim?.dnsVerdict === "verified" ? (
        // The record looks right to the DNS engine and still fails receivers: its diagnoses cannot say why.
        <p className="mt-3 flex gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800" data-self-test-code={selfTest.code}>
          <SeverityIcon severity={selfTest.outcome === "fail" ? "error" : "warning"} />
          <span className="min-w-0 [overflow-wrap:anywhere]">DKIM self-test: {selfTest.message}</span>
        </p>
      ) : null}
      {diagnoses.length > 0 ? (
        <ul className="mt-3 space-y-2" aria-label={`What we found about the ${KIND_LABELS[record.kind]} record`}>
          {diagnoses.map((diagnosis, index) => (
            <li key={index} className="flex gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800" data-diagnosis={diagnosis.code}>
              <SeverityIcon severity={state === "recommended" && diagnosis.severity === "error" ? "info" : diagnosis.severity} />
              {/* Messages quote whole record values (a DKIM key is one 400-character word): wrap anywhere on a phone. */}
              <span className="min-w-0 [overflow-wrap:anywhere]">
                <CodeText text={diagnosis.message} />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** One banner for a problem with the whole domain's DNS (no zone, every nameserver refusing or lame). */
export function DnsProblemBanner({ problem }: { problem: DnsProblem }) {
  return (
    <Alert tone="warning" title={problem.title} className="mt-4">
      <p data-testid="dns-problem" data-problem={problem.code}>
        {problem.message}
      </p>
      <TextList items={problem.servers} className="mt-1 list-disc pl-5 text-xs" />
    </Alert>
  );
}

const GRACE_TITLES = {
  refused: "Senders are refusing mail to this domain now",
  elsewhere: "Mail to this domain is not reaching us now",
  unrouted: "Mail to this domain is not reaching us now",
  none: "A required record is missing: mail is still routed for now",
} as const;

/**
 * A verified domain whose records stopped checking out: until when it is routed anyway, and what
 * happens then. When the MX records send mail elsewhere (or refuse it), it says so: the grace
 * period keeps the routes, not the mail.
 */
export function GraceNotice({ graceEndsAt, diversion }: { graceEndsAt: string; diversion: MailDiversion | null }) {
  const deadline = (
    <>
      <strong>
        <RelativeTime iso={graceEndsAt} expect="future" />
      </strong>{" "}
      (<LocalTime value={graceEndsAt} />)
    </>
  );
  return (
    <Alert tone={diversion ? "danger" : "warning"} title={GRACE_TITLES[diversion ?? "none"]} className="mt-4">
      <p data-testid="grace-notice" data-diversion={diversion ?? "none"}>
        {diversion === "refused" ? (
          <>
            A null MX record tells every sender that the domain accepts no mail, so they bounce messages to it at once. Delete it as shown below. If
            the MX records are still wrong {deadline}, the domain becomes degraded and its routes show an error.
          </>
        ) : diversion === "elsewhere" ? (
          <>
            Its MX records send mail to another host instead of ours, so messages do not reach your queues. Correct them as shown below. If they
            are still wrong {deadline}, the domain becomes degraded and its routes show an error.
          </>
        ) : diversion === "unrouted" ? (
          <>
            Its MX record for our servers is no longer published, so senders stop delivering its mail to us. Republish it as shown below. If it is
            still missing {deadline}, the domain becomes degraded and its routes show an error.
          </>
        ) : (
          <>
            Mail to this domain keeps flowing as usual. If the record is still missing {deadline}, the domain becomes degraded: its routes show an
            error and senders may stop finding our servers through its MX records. Restore the record below to avoid it.
          </>
        )}
      </p>
    </Alert>
  );
}

/**
 * What the last check found: the domain-wide DNS problem or grace deadline if any, the group
 * summary and each record. Static: the verification panel and the public share page show it.
 */
export function RecordChecks({ view, checking = false }: { view: DomainView; checking?: boolean }) {
  const groups = groupStates(view.records);
  return (
    <>
      {view.dnsProblem ? <DnsProblemBanner problem={view.dnsProblem} /> : null}
      {view.status === "grace" && view.graceEndsAt ? <GraceNotice graceEndsAt={view.graceEndsAt} diversion={mailDiversion(view.records)} /> : null}
      <div className="flex flex-wrap gap-3 py-4 text-sm" aria-label="Summary">
        {(["ownership", "inbound", "sending"] as const).map((group) => (
          <span key={group} className="flex items-center gap-2" data-group={group} data-verdict={view.groups[group]}>
            <span className="text-slate-600">{GROUP_LABELS[group]}</span>
            <StateBadge state={groups[group]} label={GROUP_LABELS[group]} checking={checking} />
          </span>
        ))}
      </div>
      <ul className="divide-y divide-slate-200 border-t border-slate-200">
        {view.records.map((record) => (
          <RecordResult key={record.id} record={record} checking={checking} hideDomainWide={view.dnsProblem !== null} />
        ))}
      </ul>
    </>
  );
}

/**
 * The domain's verification: each record's verdict, what was found against what was expected and
 * the DNS engine's diagnosis. Used by the wizard's Verify step and the domain page.
 */
export function VerificationPanel({
  initial,
  canManage,
  onChange,
  checkOnArrival = false,
}: {
  initial: DomainView;
  canManage: boolean;
  onChange?: (view: DomainView) => void;
  /** Check at once when shown (the wizard's Verify step: the admin just said the records are published). A domain never checked is always checked at once. */
  checkOnArrival?: boolean;
}) {
  const queryClient = useQueryClient();
  const queryKey = ["domain", initial.id];
  const query = useQuery({
    queryKey,
    queryFn: async () => unwrap(await asActionResult(refreshDomainAction({ domainId: initial.id }))),
    initialData: initial,
    refetchInterval: (q) => pollInterval(q.state.data, q.state.dataUpdateCount),
    refetchIntervalInBackground: false,
    retry: 1,
  });
  const checkNow = useMutation({
    mutationFn: async (trigger: "manual" | "wizard" = "manual") => unwrap(await asActionResult(checkDomainNowAction({ domainId: initial.id, trigger }))),
    onSuccess: (view) => {
      queryClient.setQueryData(queryKey, view);
      // A check self-tests the DKIM keys too: the DKIM panel (domain page) shows their new results.
      void queryClient.invalidateQueries({ queryKey: ["dkim", initial.id] });
    },
  });
  const view = query.data;
  useEffect(() => {
    onChange?.(view);
  }, [view, onChange]);
  // Arriving on the panel answers at once rather than after the first poll: the check is what the admin came for.
  const arrived = useRef(false);
  const { mutate: check } = checkNow;
  useEffect(() => {
    if (arrived.current || initial.kind !== "custom" || !canManage) return;
    if (!checkOnArrival && initial.lastCheckedAt !== null) return;
    arrived.current = true;
    check(checkOnArrival ? "wizard" : "manual");
  }, [check, canManage, checkOnArrival, initial.kind, initial.lastCheckedAt]);
  const checking = checkNow.isPending;
  const error = checkNow.error ?? (query.isRefetchError ? query.error : null);

  return (
    <section aria-labelledby="verification-heading" className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id="verification-heading" className="flex items-center gap-2 text-base font-semibold text-slate-900">
            Verification <DomainStatusBadge status={view.status} />
          </h2>
          <p className="mt-1 text-sm text-slate-600" aria-live="polite">
            Last checked <RelativeTime iso={view.lastCheckedAt} fallback="not yet" />
            {view.nextCheckAt ? (
              <>
                {" "}· next automatic check <RelativeTime iso={view.nextCheckAt} expect="future" />
              </>
            ) : null}
          </p>
        </div>
        <div className="flex flex-col items-end gap-1">
          <Button
            variant="secondary"
            onClick={() => checkNow.mutate("manual")}
            pending={checkNow.isPending}
            disabled={!canManage}
            title={canManage ? undefined : MANAGE_REQUIRED_HINT}
            aria-describedby={canManage ? undefined : "check-now-hint"}
          >
            <RefreshCw aria-hidden /> {checkNow.isPending ? "Checking…" : "Check now"}
          </Button>
          {canManage ? null : (
            // A check changes the status and sends notifications and webhooks: not for view-only access.
            <p id="check-now-hint" className="max-w-64 text-right text-xs text-slate-500">
              {MANAGE_REQUIRED_HINT} to check now; checks also run automatically.
            </p>
          )}
        </div>
      </div>
      <div className="px-5">
        {error ? (
          <Alert tone="danger" className="mt-4" title="The check did not complete">
            {error.message}{" "}
            <button type="button" className="font-medium underline" onClick={() => (checkNow.isError ? checkNow.mutate("manual") : query.refetch())}>
              Try again
            </button>
          </Alert>
        ) : null}
        <RecordChecks view={view} checking={checking} />
      </div>
    </section>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Info, RefreshCw, XCircle } from "lucide-react";
import { useEffect } from "react";

import { checkDomainNowAction, refreshDomainAction } from "@/app/(console)/domains/actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/local-time";
import type { ActionResult } from "@/lib/actions/result";
import type { DomainView, RecordView } from "@/lib/domains/types";

import { DomainStatusBadge, GROUP_LABELS, VerdictBadge } from "./status-badges";

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

function RecordResult({ record }: { record: RecordView }) {
  const expected = record.kind === "mx" ? `${record.preference} ${record.value}` : record.value;
  const selfTest = record.dkim?.selfTest;
  return (
    <li className="py-4" data-record-kind={record.kind} data-verdict={record.verdict}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="text-sm font-medium text-slate-900">{recordLabel(record)}</p>
          <p className="break-all font-mono text-xs text-slate-600">{record.name}</p>
        </div>
        <VerdictBadge
          verdict={record.verdict}
          label={recordLabel(record)}
          text={record.verdict === "failed" && record.found.length > 0 ? "Does not match" : undefined}
        />
      </div>
      <dl className="mt-2 grid gap-1 text-xs sm:grid-cols-[6rem_1fr]">
        <dt className="text-slate-500">Expected</dt>
        <dd className="break-all font-mono text-slate-800">{expected}</dd>
        <dt className="text-slate-500">Found</dt>
        <dd className="break-all font-mono text-slate-800">
          {record.verdict === "pending" ? (
            <span className="font-sans text-slate-500">Not checked yet</span>
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
      </dl>
      {selfTest && selfTest.outcome !== "pass" && record.dkim?.dnsVerdict === "verified" ? (
        // The record looks right to the DNS engine and still fails receivers: its diagnoses cannot say why.
        <p className="mt-3 flex gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800" data-self-test-code={selfTest.code}>
          <SeverityIcon severity={selfTest.outcome === "fail" ? "error" : "warning"} />
          <span className="min-w-0 [overflow-wrap:anywhere]">DKIM self-test: {selfTest.message}</span>
        </p>
      ) : null}
      {record.diagnoses.length > 0 ? (
        <ul className="mt-3 space-y-2" aria-label={`What we found about the ${KIND_LABELS[record.kind]} record`}>
          {record.diagnoses.map((diagnosis, index) => (
            <li key={index} className="flex gap-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800" data-diagnosis={diagnosis.code}>
              <SeverityIcon severity={diagnosis.severity} />
              {/* Messages quote whole record values (a DKIM key is one 400-character word): wrap anywhere on a phone. */}
              <span className="min-w-0 [overflow-wrap:anywhere]">{diagnosis.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
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
}: {
  initial: DomainView;
  canManage: boolean;
  onChange?: (view: DomainView) => void;
}) {
  const queryClient = useQueryClient();
  const queryKey = ["domain", initial.id];
  const query = useQuery({
    queryKey,
    queryFn: async () => unwrap(await refreshDomainAction({ domainId: initial.id })),
    initialData: initial,
    refetchInterval: (q) => pollInterval(q.state.data, q.state.dataUpdateCount),
    refetchIntervalInBackground: false,
    retry: 1,
  });
  const checkNow = useMutation({
    mutationFn: async () => unwrap(await checkDomainNowAction({ domainId: initial.id, trigger: "manual" })),
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
            onClick={() => checkNow.mutate()}
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
            <button type="button" className="font-medium underline" onClick={() => (checkNow.isError ? checkNow.mutate() : query.refetch())}>
              Try again
            </button>
          </Alert>
        ) : null}
        <div className="flex flex-wrap gap-3 py-4 text-sm" aria-label="Summary">
          {(["ownership", "inbound", "sending"] as const).map((group) => (
            <span key={group} className="flex items-center gap-2">
              <span className="text-slate-600">{GROUP_LABELS[group]}</span>
              <VerdictBadge verdict={view.groups[group]} label={GROUP_LABELS[group]} />
            </span>
          ))}
        </div>
        <ul className="divide-y divide-slate-200 border-t border-slate-200">
          {view.records.map((record) => (
            <RecordResult key={record.id} record={record} />
          ))}
        </ul>
      </div>
    </section>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, ArrowRightLeft, CheckCircle2, CircleDashed, KeyRound, PlayCircle, Trash2, XCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";

import { discardDkimKeyAction, dkimPanelAction, rotateDkimKeyAction, runDkimSelfTestAction, switchDkimKeyAction } from "@/app/(console)/domains/dkim-actions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { LocalTime, RelativeTime } from "@/components/ui/local-time";
import { WrappableName } from "@/components/ui/wrappable-name";
import { asActionResult, type ActionResult } from "@/lib/actions/result";
import type { DkimActionResult, DkimKeyState, DkimKeyView, DkimPanelView, SelfTestView } from "@/lib/domains/dkim/types";

import { CopyButton } from "./copy-button";

class ActionFailed extends Error {}

function unwrap<T>(result: ActionResult<T>): T {
  if (!result.ok) throw new ActionFailed(result.error);
  return result.data;
}

/** An action's failure in words; anything unexpected stays generic (the server already logged it). */
function errorText(error: unknown): string {
  return error instanceof ActionFailed ? error.message : "Something went wrong on our side. Try again in a moment.";
}

const STATES: Record<DkimKeyState, { label: string; tone: "success" | "info" | "warning" | "neutral" }> = {
  active: { label: "Signing", tone: "success" },
  pending: { label: "New key, not signing yet", tone: "info" },
  retiring: { label: "Retiring", tone: "warning" },
  retired: { label: "Retired", tone: "neutral" },
};

const OUTCOMES = {
  pass: { label: "Self-test passed", tone: "success", Icon: CheckCircle2 },
  fail: { label: "Self-test failed", tone: "danger", Icon: XCircle },
  temporary_failure: { label: "Self-test could not finish", tone: "warning", Icon: AlertTriangle },
} as const;

function SelfTestResult({ test, keyState, canManage }: { test: SelfTestView | null; keyState: DkimKeyState; canManage: boolean }) {
  if (!test) {
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-600" data-self-test="none">
        <Badge tone="neutral">
          <CircleDashed aria-hidden /> Not tested yet
        </Badge>
        <span>{canManage ? "The next check tests it, or run the self-test now." : "The next automatic check tests it."}</span>
      </div>
    );
  }
  // A new key's record not published yet is the expected first step, not an alarm.
  const { label, tone, Icon } =
    keyState === "pending" && test.code === "no_key" ? { label: "Record not published yet", tone: "warning" as const, Icon: CircleDashed } : OUTCOMES[test.outcome];
  return (
    <div className="space-y-1" data-self-test={test.outcome} data-self-test-code={test.code}>
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={tone}>
          <Icon aria-hidden /> {label}
        </Badge>
        <span className="text-slate-600">
          <RelativeTime iso={test.testedAt} /> (<LocalTime value={test.testedAt} />)
        </span>
      </p>
      <p className="text-sm text-slate-800 [overflow-wrap:anywhere]" data-testid="self-test-message">{test.message}</p>
      {test.outcome !== "pass" && test.detail ? <p className="text-xs text-slate-500">Mail servers would report: &ldquo;{test.detail}&rdquo;</p> : null}
    </div>
  );
}

function InlineError({ id, error }: { id: string; error: unknown }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="text-sm font-medium text-red-700">
      {errorText(error)}
    </p>
  );
}

function KeyHeading({ keyView, children }: { keyView: DkimKeyView; children?: ReactNode }) {
  const state = STATES[keyView.state];
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <p className="flex min-w-0 flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
        <KeyRound className="size-4 shrink-0 text-slate-500" aria-hidden />
        <span>
          Selector <span className="font-mono">{keyView.selector}</span>
        </span>
        <Badge tone={state.tone} data-key-state={keyView.state}>
          {state.label}
        </Badge>
      </p>
      {children}
    </div>
  );
}

/** The TXT record to publish for a key, with copy buttons (the name both relative and fully qualified). */
function KeyRecord({ keyView }: { keyView: DkimKeyView }) {
  return (
    <dl className="grid gap-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm sm:grid-cols-[8rem_1fr]" aria-label={`TXT record of ${keyView.selector}`}>
      <dt className="text-slate-500">Type</dt>
      <dd className="font-mono">TXT</dd>
      <dt className="text-slate-500">Name (host)</dt>
      <dd className="flex min-w-0 items-start justify-between gap-2 font-mono">
        <span className="break-words" data-testid="dkim-relative-name">
          <WrappableName value={keyView.relativeName} />
        </span>
        <CopyButton value={keyView.relativeName} label={`name of the ${keyView.selector} DKIM record`} />
      </dd>
      <dt className="text-slate-500">Fully qualified</dt>
      <dd className="flex min-w-0 items-start justify-between gap-2 font-mono text-slate-600">
        <span className="break-words">
          <WrappableName value={keyView.recordName} />
        </span>
        <CopyButton value={keyView.recordName} label={`fully qualified name of the ${keyView.selector} DKIM record`} />
      </dd>
      <dt className="text-slate-500">Value</dt>
      <dd className="flex min-w-0 items-start justify-between gap-2 font-mono">
        <span className="break-all" data-testid="dkim-record-value">{keyView.recordValue}</span>
        <CopyButton value={keyView.recordValue} label={`value of the ${keyView.selector} DKIM record`} />
      </dd>
    </dl>
  );
}

/**
 * The domain's DKIM keys: the signing key's latest self-test (signed with the stored private key,
 * verified against the key published in DNS, as receivers do), and key rotation — a new key's
 * record to publish, the switch once it verifies, and replaced keys retiring. View-only admins see
 * the same state without the buttons. Shares the domain query with the verification panel, whose
 * verdicts the self-test moves.
 */
export function DkimPanel({ initial, canManage }: { initial: DkimPanelView; canManage: boolean }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const domainId = initial.domainId;
  const queryKey = ["dkim", domainId];
  const query = useQuery({
    queryKey,
    queryFn: async () => unwrap(await asActionResult(dkimPanelAction({ domainId }))),
    initialData: initial,
    retry: 1,
  });
  const panel = query.data;

  const applied = (result: DkimActionResult) => {
    queryClient.setQueryData(queryKey, result.panel);
    queryClient.setQueryData(["domain", domainId], result.domain);
    // The records list beside is rendered on the server: it gains or loses the new key's record.
    router.refresh();
  };
  // Two buttons run the self-test (the header's, and the new key's "Check the new record"): each shows its own failure.
  const selfTest = useMutation({ mutationFn: async (_from: "header" | "pending") => unwrap(await asActionResult(runDkimSelfTestAction({ domainId }))), onSuccess: applied });
  const selfTestError = (from: "header" | "pending") => (selfTest.variables === from ? selfTest.error : null);
  const rotate = useMutation({ mutationFn: async () => unwrap(await asActionResult(rotateDkimKeyAction({ domainId }))), onSuccess: applied });
  const switchKey = useMutation({ mutationFn: async (keyId: string) => unwrap(await asActionResult(switchDkimKeyAction({ domainId, keyId }))), onSuccess: applied });
  const discard = useMutation({ mutationFn: async (keyId: string) => unwrap(await asActionResult(discardDkimKeyAction({ domainId, keyId }))), onSuccess: applied });
  const busy = selfTest.isPending || rotate.isPending || switchKey.isPending || discard.isPending;
  // The panel's two ways to run the self-test: each shows its own progress and its own error.
  const selfTestButton = (from: "header" | "pending", errorId: string, label: string) => (
    <Button
      variant="secondary"
      onClick={() => selfTest.mutate(from)}
      pending={selfTest.isPending && selfTest.variables === from}
      disabled={busy}
      aria-describedby={selfTestError(from) ? errorId : undefined}
    >
      <PlayCircle aria-hidden /> {label}
    </Button>
  );

  const { active, pending, retiring, retired } = panel;

  return (
    <section aria-labelledby="dkim-heading" className="rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="dkim-panel">
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-5 py-4">
        <div className="min-w-0 max-w-2xl">
          <h2 id="dkim-heading" className="text-base font-semibold text-slate-900">
            DKIM signing key
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">
            The self-test signs a message with the key we keep for this domain and verifies the signature against the key published in your
            DNS, as receiving mail servers do. Sending is ready only when it passes.
          </p>
        </div>
        {canManage ? (
          <div className="flex flex-col items-end gap-1">
            {selfTestButton("header", "dkim-self-test-error", selfTest.isPending ? "Testing…" : "Run self-test")}
            <InlineError id="dkim-self-test-error" error={selfTestError("header")} />
          </div>
        ) : null}
      </div>

      <div className="divide-y divide-slate-200 px-5">
        {query.isRefetchError ? (
          <p role="alert" className="py-3 text-sm font-medium text-red-700">
            The DKIM keys could not be reloaded: {errorText(query.error)}
          </p>
        ) : null}

        <div className="space-y-3 py-4" data-key={active?.selector ?? "none"} data-testid="dkim-active">
          {active ? (
            <>
              <KeyHeading keyView={active} />
              <p className="break-words font-mono text-xs text-slate-600">
                <WrappableName value={active.recordName} />
              </p>
              <SelfTestResult test={active.selfTest} keyState={active.state} canManage={canManage} />
            </>
          ) : (
            <p className="text-sm text-slate-600">This domain has no signing key.</p>
          )}
        </div>

        <div className="space-y-3 py-4" data-testid="dkim-rotation">
          <h3 className="text-sm font-semibold text-slate-900">Key rotation</h3>
          {pending ? (
            <div className="space-y-3" data-testid="dkim-pending" data-key={pending.selector}>
              <KeyHeading keyView={pending} />
              <p className="text-sm text-slate-700">
                Publish this TXT record at your DNS host, next to the current one (keep both). Once it verifies, switch: the new key signs
                from then on, and the current one stays published for {formatDays(panel.retiringPeriodDays)} while mail signed with it is
                still on its way.
              </p>
              <KeyRecord keyView={pending} />
              <SelfTestResult test={pending.selfTest} keyState={pending.state} canManage={canManage} />
              {canManage ? (
                <div className="space-y-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <Button
                      onClick={() => switchKey.mutate(pending.id)}
                      pending={switchKey.isPending}
                      disabled={!panel.canSwitch || busy}
                      aria-describedby={switchKey.error ? "dkim-switch-hint dkim-switch-error" : "dkim-switch-hint"}
                    >
                      <ArrowRightLeft aria-hidden /> Switch to {pending.selector}
                    </Button>
                    {panel.canSwitch ? null : selfTestButton("pending", "dkim-check-new-error", "Check the new record")}
                    <Button variant="ghost" onClick={() => discard.mutate(pending.id)} pending={discard.isPending} disabled={busy} aria-describedby={discard.error ? "dkim-discard-error" : undefined}>
                      <Trash2 aria-hidden /> Discard new key
                    </Button>
                  </div>
                  <p id="dkim-switch-hint" className="text-xs text-slate-500">
                    {panel.canSwitch
                      ? "The new record is verified and its self-test passed: you can switch now."
                      : "Switch becomes available once the new record is published, verified and its self-test passes."}
                  </p>
                  <InlineError id="dkim-check-new-error" error={selfTestError("pending")} />
                  <InlineError id="dkim-switch-error" error={switchKey.error} />
                  <InlineError id="dkim-discard-error" error={discard.error} />
                </div>
              ) : null}
            </div>
          ) : (
            <div className="space-y-2">
              <p className="text-sm text-slate-700">
                Rotating makes a new key under a new selector. The current key keeps signing until the new key&apos;s record is published,
                verified and you switch to it.
              </p>
              {canManage ? (
                <div className="flex flex-col items-start gap-1">
                  <Button variant="secondary" onClick={() => rotate.mutate()} pending={rotate.isPending} disabled={busy || !active} aria-describedby={rotate.error ? "dkim-rotate-error" : undefined}>
                    <KeyRound aria-hidden /> {rotate.isPending ? "Generating…" : "Generate a new key"}
                  </Button>
                  <InlineError id="dkim-rotate-error" error={rotate.error} />
                </div>
              ) : null}
            </div>
          )}
        </div>

        {retiring.length + retired.length > 0 ? (
          <div className="space-y-4 py-4" data-testid="dkim-previous">
            <h3 className="text-sm font-semibold text-slate-900">Previous keys</h3>
            <ul className="space-y-4">
              {retiring.map((key) => (
                <li key={key.id} className="space-y-2" data-key={key.selector}>
                  <KeyHeading keyView={key} />
                  <p className="text-sm text-slate-700">
                    Keep its record <span className="break-words font-mono text-xs">
                      <WrappableName value={key.recordName} />
                    </span> published
                    {key.retireAfter ? (
                      <>
                        {" "}until <LocalTime value={key.retireAfter} />
                      </>
                    ) : null}
                    : mail signed with it may still be on its way. We will tell you when it can be removed.
                  </p>
                  <SelfTestResult test={key.selfTest} keyState={key.state} canManage={canManage} />
                </li>
              ))}
              {retired.map((key) => (
                <li key={key.id} className="space-y-1" data-key={key.selector}>
                  <KeyHeading keyView={key} />
                  <p className="text-sm text-slate-700">
                    Retired{key.retiredAt ? (
                      <>
                        {" "}on <LocalTime value={key.retiredAt} />
                      </>
                    ) : null}
                    : you can delete the TXT record <span className="break-words font-mono text-xs">
                      <WrappableName value={key.recordName} />
                    </span> at your DNS host.
                  </p>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function formatDays(days: number): string {
  if (days < 1) return `${Math.round(days * 24)} hours`;
  return days === 1 ? "1 day" : `${days} days`;
}

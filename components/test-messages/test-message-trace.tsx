"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, ArrowRight, CheckCircle2, Circle, Loader2, MinusCircle, XCircle } from "lucide-react";

import { watchTestMessageAction } from "@/app/(console)/test-messages/actions";
import { RedirectInstructions } from "@/components/domains/redirect-instructions";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { asActionResult } from "@/lib/actions/result";
import type { StageStatus, TestMessageTrace, TraceStage, TraceState } from "@/lib/test-messages/types";

export const testMessageQueryKey = (id: string) => ["test-message", id] as const;

/** How often an open trace asks again while the message is under way. */
const POLL_MS = 1_000;

export async function fetchTrace(id: string): Promise<TestMessageTrace> {
  const result = await asActionResult(watchTestMessageAction({ id }));
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

const STAGE_LOOK: Record<StageStatus, { Icon: typeof CheckCircle2; classes: string; label: string }> = {
  done: { Icon: CheckCircle2, classes: "text-emerald-600", label: "Done" },
  warning: { Icon: AlertTriangle, classes: "text-amber-600", label: "Done, with a warning" },
  failed: { Icon: XCircle, classes: "text-red-600", label: "Failed" },
  running: { Icon: Loader2, classes: "animate-spin text-brand-600", label: "In progress" },
  waiting: { Icon: Circle, classes: "text-slate-300", label: "Not yet" },
  skipped: { Icon: MinusCircle, classes: "text-slate-300", label: "Not reached" },
};

const STATE_BADGE: Record<TraceState, { tone: "success" | "danger" | "warning" | "info"; text: string }> = {
  in_progress: { tone: "info", text: "In progress" },
  delivered: { tone: "success", text: "Delivered" },
  failed: { tone: "danger", text: "Stopped" },
  timed_out: { tone: "warning", text: "Gave up" },
};

/** Seconds since the trace started: what an admin compares from stage to stage. */
function offset(at: string | null, start: string): string | null {
  if (!at) return null;
  const seconds = (Date.parse(at) - Date.parse(start)) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return `+${Math.max(0, seconds).toFixed(seconds < 10 ? 1 : 0)} s`;
}

function Stage({ stage, start }: { stage: TraceStage; start: string }) {
  const look = STAGE_LOOK[stage.status];
  const when = offset(stage.at, start);
  return (
    <li className="flex gap-3 py-3" data-testid="trace-stage" data-stage={stage.key} data-status={stage.status}>
      <look.Icon className={`mt-0.5 size-5 shrink-0 ${look.classes}`} aria-label={look.label} />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3">
          <p className="text-sm font-medium text-slate-900">{stage.label}</p>
          {when ? (
            <span className="font-mono text-xs text-slate-500" title={stage.at ?? undefined}>
              {when}
            </span>
          ) : null}
        </div>
        <p className="break-words text-sm text-slate-700">{stage.summary}</p>
        {stage.details.length > 0 ? (
          <ul className="mt-1 space-y-0.5 text-xs text-slate-500">
            {stage.details.map((detail, index) => (
              <li key={index} className="break-words">
                {detail}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

/** One test message's trace, asked for again every second while the message is under way. */
export function TestMessageTraceView({ id, initial }: { id: string; initial?: TestMessageTrace }) {
  const { data, isError } = useQuery({
    queryKey: testMessageQueryKey(id),
    queryFn: () => fetchTrace(id),
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.state === "in_progress" ? POLL_MS : false),
    refetchIntervalInBackground: false,
  });
  if (!data) {
    return <p className="text-sm text-slate-500">{isError ? "This trace could not be loaded; try again." : "Loading the trace…"}</p>;
  }
  const trace = data;
  const badge = STATE_BADGE[trace.state];
  const diagnosis = trace.diagnosis;
  return (
    <section aria-label={`Test message to ${trace.targetAddress}`} data-testid="test-message-trace" data-state={trace.state}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="flex min-w-0 flex-wrap items-center gap-x-2 text-sm text-slate-700">
          <span className="break-all font-mono text-slate-900">{trace.targetAddress}</span>
          {trace.viaRedirect ? (
            <>
              <ArrowRight className="size-3.5 text-slate-400" aria-label="redirected to" />
              <span className="break-all font-mono text-slate-900">{trace.routeAddress}</span>
            </>
          ) : null}
        </p>
        <Badge tone={badge.tone} data-testid="trace-state">
          {trace.state === "in_progress" ? <Loader2 className="animate-spin" aria-hidden /> : null}
          {badge.text}
        </Badge>
      </div>
      <p className="mt-1 text-xs text-slate-500">
        Sent by {trace.createdBy}, <LocalTime value={trace.createdAt} withSeconds />
        {trace.state === "in_progress" ? (
          <>
            {" "}
            · gives up at <LocalTime value={trace.deadline} withSeconds />
          </>
        ) : null}
      </p>
      {diagnosis ? (
        <Alert
          className="mt-3"
          tone={trace.state === "delivered" ? (diagnosis.code === "delivered" ? "success" : "warning") : trace.state === "timed_out" ? "warning" : "danger"}
          title={diagnosis.title}
        >
          <span data-testid="trace-diagnosis" data-code={diagnosis.code}>
            {diagnosis.message}
          </span>
        </Alert>
      ) : null}
      <ol className="mt-2 divide-y divide-slate-100" aria-label="Stages">
        {trace.stages.map((stage) => (
          <Stage key={stage.key} stage={stage} start={trace.createdAt} />
        ))}
      </ol>
      {trace.logPath ? (
        <p className="mt-2 text-sm">
          <Link href={trace.logPath} className="font-medium text-brand-700 underline-offset-4 hover:underline" data-testid="trace-log-link">
            Open it in the Messages log
          </Link>
        </p>
      ) : null}
      {diagnosis?.redirectRule ? (
        <div className="mt-3 rounded-md border border-slate-200 p-4 text-sm">
          <h3 className="mb-2 font-semibold text-slate-900">The rule your mail server needs</h3>
          <RedirectInstructions rules={[diagnosis.redirectRule]} />
        </div>
      ) : null}
    </section>
  );
}

"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { discardSetupRunAction } from "@/app/(console)/setup/actions";
import { Button, buttonVariants } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { asActionResult } from "@/lib/actions/result";
import { SCENARIO_INFO } from "@/lib/domains/scenarios";
import { STEP_LABELS, type SetupRunSummary } from "@/lib/setup/types";

/** Set-ups started and not finished: each can be resumed where it was, or discarded. */
export function OpenRuns({ runs, canManage }: { runs: SetupRunSummary[]; canManage: boolean }) {
  const router = useRouter();
  const [discarding, setDiscarding] = useState<SetupRunSummary | null>(null);
  const [pending, setPending] = useState(false);
  if (runs.length === 0) return null;

  const discard = async (run: SetupRunSummary) => {
    setPending(true);
    const result = await asActionResult(discardSetupRunAction({ runId: run.id }));
    setPending(false);
    setDiscarding(null);
    if (!result.ok) toast.error(result.error);
    router.refresh();
  };

  const name = (run: SetupRunSummary) => run.domainName ?? "A set-up without a domain yet";
  return (
    <section aria-labelledby="open-runs-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="open-runs-heading" className="text-base font-semibold text-slate-900">
        Unfinished set-ups
      </h2>
      <p className="mt-1 text-sm text-slate-600">Pick one up where it was left, or start a new one below.</p>
      <ul className="mt-3 divide-y divide-slate-100">
        {runs.map((run) => (
          <li key={run.id} className="flex flex-wrap items-center justify-between gap-3 py-2" data-testid="open-run">
            <div className="min-w-0">
              <p className="break-words font-medium text-slate-900">{name(run)}</p>
              <p className="text-xs text-slate-600">
                {run.scenario ? `Scenario ${SCENARIO_INFO[run.scenario].number} · ` : ""}at {STEP_LABELS[run.step]} · <LocalTime value={run.updatedAt} />
                {run.startedBy ? ` · started by ${run.startedBy}` : ""}
              </p>
            </div>
            <div className="flex gap-2">
              <Link href={`/setup?run=${run.id}`} className={buttonVariants({ size: "sm" })} aria-label={`Resume ${name(run)}`}>
                Resume
              </Link>
              {canManage ? (
                <Button variant="secondary" size="sm" onClick={() => setDiscarding(run)} aria-label={`Discard ${name(run)}`}>
                  Discard
                </Button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <Dialog open={discarding !== null} onOpenChange={(open) => !open && setDiscarding(null)}>
        {discarding ? (
          <DialogContent
            title={`Discard the set-up of ${name(discarding)}?`}
            description="Its progress is forgotten. What it registered (the domain and its addresses) stays: manage it from Domains and Routes."
          >
            <div className="flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={() => setDiscarding(null)}>
                Keep it
              </Button>
              <Button variant="danger" pending={pending} onClick={() => void discard(discarding)}>
                Discard set-up
              </Button>
            </div>
          </DialogContent>
        ) : null}
      </Dialog>
    </section>
  );
}

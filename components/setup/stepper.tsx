"use client";

import { Check } from "lucide-react";
import { useEffect, useRef } from "react";

import { cn } from "@/components/ui/cn";
import { STEP_LABELS, type WizardStep } from "@/lib/setup/types";

/** Where the admin is; finished steps can be revisited. On a narrow screen the current step scrolls into view. */
export function Stepper({ steps, current, onSelect }: { steps: WizardStep[]; current: WizardStep; onSelect: (step: WizardStep) => void }) {
  const currentIndex = steps.indexOf(current);
  const activeItem = useRef<HTMLLIElement>(null);
  useEffect(() => {
    activeItem.current?.scrollIntoView({ block: "nearest", inline: "center" });
  }, [current]);
  return (
    <nav aria-label="Set-up steps" className="mb-6 min-w-0 max-w-full">
      <ol className="flex flex-wrap items-center gap-2">
        {steps.map((step, index) => {
          const done = index < currentIndex;
          const active = index === currentIndex;
          return (
            <li key={step} ref={active ? activeItem : undefined} className="flex items-center gap-2">
              {index > 0 ? <span className="h-px w-6 bg-slate-300" aria-hidden /> : null}
              <button
                type="button"
                onClick={() => onSelect(step)}
                disabled={!done}
                aria-current={active ? "step" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-full px-3 py-1.5 text-sm font-medium",
                  active && "bg-brand-600 text-white",
                  done && "bg-brand-50 text-brand-700 hover:bg-brand-100",
                  !active && !done && "cursor-default bg-slate-100 text-slate-500",
                )}
              >
                <span
                  className={cn(
                    "flex size-5 items-center justify-center rounded-full text-xs",
                    active ? "bg-white text-brand-700" : done ? "bg-brand-600 text-white" : "bg-white text-slate-500",
                  )}
                  aria-hidden
                >
                  {done ? <Check className="size-3" /> : index + 1}
                </span>
                {STEP_LABELS[step]}
                {done ? <span className="sr-only"> (done)</span> : null}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

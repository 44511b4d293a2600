"use client";

import { GitCompareArrows } from "lucide-react";
import { useEffect, useRef } from "react";

export type ConflictSide = "theirs" | "yours";

export interface ConflictRow {
  /** The form field, to keep the admin's choice. */
  name: string;
  /** The field as the form labels it. */
  field: string;
  /** What the other admin saved (the record as it is now). */
  theirs: string;
  /** What this admin tried to save. */
  yours: string;
}

/**
 * A save that both admins' changes could not be merged into: only the fields both changed, each
 * with theirs and yours to choose from (theirs chosen until the admin says otherwise, so saving
 * never silently reverts their change). Every other field was merged already; the form's own save
 * button saves the choices. See docs/decisions/022-field-level-merge.md.
 */
export function ConflictNotice({
  noun,
  changedBy,
  rows,
  choices,
  onChoose,
}: {
  noun: string;
  changedBy: string | null;
  rows: ConflictRow[];
  choices: Record<string, ConflictSide>;
  onChoose: (name: string, side: ConflictSide) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // The save button is at the bottom of a long form; bring the news to where the admin looks.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    ref.current?.focus({ preventScroll: true });
  }, []);
  const who = changedBy ?? "Someone else";
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="alert"
      className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 outline-none"
      data-testid="conflict-notice"
    >
      <p className="flex items-center gap-2 font-semibold">
        <GitCompareArrows className="size-4 shrink-0" aria-hidden />
        {`${who} changed ${rows.length === 1 ? "a field" : "fields"} of this ${noun} that you changed too.`}
      </p>
      <p className="mt-1">
        Nothing was saved yet. Their other changes are already in the form. Choose which version to keep for each field below, then save.
      </p>
      <div className="mt-3 space-y-3">
        {rows.map((row) => (
          <fieldset key={row.name} className="min-w-0 rounded border border-amber-200 bg-white/60 p-2" data-testid="conflict-field">
            <legend className="px-1 font-medium">{row.field}</legend>
            {(["theirs", "yours"] as const).map((side) => (
              <label key={side} className="flex items-start gap-2 py-0.5">
                <input
                  type="radio"
                  name={`conflict-${row.name}`}
                  className="mt-0.5 size-4 accent-brand-600"
                  checked={choices[row.name] === side}
                  onChange={() => onChoose(row.name, side)}
                />
                <span className="min-w-0 [overflow-wrap:anywhere]">
                  <span className="font-medium">{side === "theirs" ? "Theirs: " : "Yours: "}</span>
                  {(side === "theirs" ? row.theirs : row.yours) || "(empty)"}
                </span>
              </label>
            ))}
          </fieldset>
        ))}
      </div>
    </div>
  );
}

"use client";

import { GitCompareArrows, RotateCcw, Save } from "lucide-react";
import { useEffect, useRef } from "react";

import { Button } from "@/components/ui/button";

export interface ConflictRow {
  field: string;
  /** What the other admin saved (the record as it is now). */
  theirs: string;
  /** What this admin is trying to save. */
  yours: string;
}

/**
 * A save refused because someone else saved first: which fields they changed, next to what this
 * admin typed, and the two ways out (take theirs, or save again over it). Nothing is lost either way.
 */
export function ConflictNotice({
  noun,
  changedBy,
  rows,
  onReload,
  onOverwrite,
  overwritePending,
}: {
  noun: string;
  changedBy: string | null;
  rows: ConflictRow[];
  onReload: () => void;
  onOverwrite: () => void;
  overwritePending?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // The save button is at the bottom of a long form; bring the news to where the admin looks.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    ref.current?.focus({ preventScroll: true });
  }, []);
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
        {changedBy ? `${changedBy} changed this ${noun} while you were editing it.` : `Someone else changed this ${noun} while you were editing it.`}
      </p>
      <p className="mt-1">Nothing was saved. Compare their version with yours, then keep theirs or save yours over it.</p>
      {rows.length > 0 ? (
        <div className="relative mt-3 overflow-x-auto">
          <table className="w-full min-w-[28rem] border-collapse text-left text-sm">
            <caption className="sr-only">Fields changed by the other person</caption>
            <thead>
              <tr className="border-b border-amber-300 text-xs uppercase tracking-wide text-amber-900">
                <th scope="col" className="py-1.5 pr-3 font-medium">Field</th>
                <th scope="col" className="py-1.5 pr-3 font-medium">Now (their change)</th>
                <th scope="col" className="py-1.5 font-medium">Yours</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.field} className="border-b border-amber-200 align-top last:border-0">
                  <th scope="row" className="py-1.5 pr-3 font-medium">{row.field}</th>
                  <td className="py-1.5 pr-3 break-words">{row.theirs || "—"}</td>
                  <td className="py-1.5 break-words">{row.yours || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="mt-2">Their change does not touch the fields you edited.</p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <Button type="button" variant="secondary" size="sm" onClick={onReload}>
          <RotateCcw aria-hidden /> Discard mine, load theirs
        </Button>
        <Button type="button" size="sm" onClick={onOverwrite} pending={overwritePending}>
          <Save aria-hidden /> Save mine over theirs
        </Button>
      </div>
    </div>
  );
}

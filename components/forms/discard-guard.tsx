"use client";

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";

/** What a form in a dialog tells the dialog about itself. */
export interface EditState {
  /** Differs from what it opened with. */
  dirty: boolean;
  /** A save is on its way: its outcome, not a close, ends it. */
  saving: boolean;
}

export type ReportEdits = (state: EditState) => void;

export interface DiscardQuestion {
  title: string;
  description: ReactNode;
  keepLabel: string;
  discardLabel: string;
}

/** The question of every edit dialog; `noun` is what is edited ("route", "queue"). */
export function discardChanges(noun: string): DiscardQuestion {
  return {
    title: "Discard your changes?",
    description: `What you changed in this ${noun} has not been saved.`,
    keepLabel: "Keep editing",
    discardLabel: "Discard changes",
  };
}

const NOTHING_TYPED: EditState = { dirty: false, saving: false };

/**
 * Closing a dialog whose form has unsaved changes (Escape, the close button, a click outside,
 * Cancel) asks first, so a stray key press loses nothing; so does reloading or closing the tab.
 * While a save is on its way, closing does nothing: the save's own outcome closes the dialog or
 * shows why it could not, so the admin is never told a change was discarded that is then saved.
 *
 * The form reports its state with `report` (see useReportEdits); the dialog calls `requestClose`
 * from its onOpenChange and Cancel, and renders `confirmation` beside itself.
 */
export function useDiscardGuard(onClose: () => void, question: DiscardQuestion) {
  const state = useRef<EditState>(NOTHING_TYPED);
  const [unsaved, setUnsaved] = useState(false);
  const [asking, setAsking] = useState(false);
  const report = useCallback<ReportEdits>((next) => {
    state.current = next;
    setUnsaved(next.dirty || next.saving);
  }, []);
  useLeaveWarning(unsaved);

  const close = () => {
    report(NOTHING_TYPED);
    setAsking(false);
    onClose();
  };
  const requestClose = () => {
    if (state.current.saving) return;
    if (state.current.dirty) setAsking(true);
    else close();
  };

  const confirmation = (
    <Dialog open={asking} onOpenChange={(open) => !open && setAsking(false)}>
      {asking ? (
        <DialogContent title={question.title} description={question.description}>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" autoFocus onClick={() => setAsking(false)}>
              {question.keepLabel}
            </Button>
            <Button variant="danger" onClick={close}>
              {question.discardLabel}
            </Button>
          </div>
        </DialogContent>
      ) : null}
    </Dialog>
  );

  return { report, requestClose, close, confirmation };
}

/** Tells the dialog around a form whether it has unsaved changes and whether a save is on its way. */
export function useReportEdits(report: ReportEdits | undefined, dirty: boolean, saving: boolean): void {
  useEffect(() => report?.({ dirty, saving }), [report, dirty, saving]);
}

/** While `unsaved`, reloading, closing the tab or leaving the console asks the browser's "Leave site?" first. */
export function useLeaveWarning(unsaved: boolean): void {
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);
}

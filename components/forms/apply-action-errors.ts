import type { BaseSyntheticEvent } from "react";
import type { FieldPath, FieldValues, UseFormSetError } from "react-hook-form";

import type { ActionFailure } from "@/lib/actions/result";

/**
 * Puts a failed action's field errors next to their fields, and returns the message for the rest
 * (the form-level alert). Errors for fields the form does not show go to the form-level message.
 * Given the form, it then brings the errors to the admin as errors found in the browser are: the
 * first field in error, or else the form's first alert, is scrolled into view and focused.
 */
export function applyActionErrors<T extends FieldValues>(
  failure: ActionFailure,
  setError: UseFormSetError<T>,
  fields: readonly FieldPath<T>[],
  form?: HTMLFormElement | null,
): string | null {
  let unplaced: string | null = failure.fieldErrors ? null : failure.error;
  for (const [key, messages] of Object.entries(failure.fieldErrors ?? {})) {
    const message = messages[0] ?? failure.error;
    if ((fields as readonly string[]).includes(key)) setError(key as FieldPath<T>, { type: "server", message });
    else unplaced = unplaced ? `${unplaced} ${message}` : message;
  }
  if (form) bringErrorsIntoView(form);
  return unplaced;
}

const CONTROLS = "input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled)";
/** Frames to wait for React to show the errors just set (it renders them in a task of its own). */
const FRAMES_TO_WAIT = 10;

/**
 * Once the errors just set are on screen: scrolls to the first field in error in `form` (in page
 * order) and focuses it, or the form's first alert when no field is in error. The admin may have
 * scrolled to the save button at the end of a long form, far from the field the server refused.
 */
export function bringErrorsIntoView(form: HTMLFormElement, framesLeft = FRAMES_TO_WAIT): void {
  requestAnimationFrame(() => {
    if (!form.isConnected) return;
    const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
    const alert = form.querySelector<HTMLElement>('[role="alert"]');
    const target = invalid ?? alert;
    if (!target) {
      if (framesLeft > 0) bringErrorsIntoView(form, framesLeft - 1);
      return;
    }
    // A group in error (checkboxes) takes focus on its first choice; an alert on itself.
    const focusable = target.matches(CONTROLS) ? target : (invalid?.querySelector<HTMLElement>(CONTROLS) ?? target);
    if (focusable === target && !target.matches(CONTROLS) && !target.hasAttribute("tabindex")) target.tabIndex = -1;
    target.scrollIntoView({ block: "center" });
    focusable.focus({ preventScroll: true });
  });
}

/** The form a submit event came from (react-hook-form passes it on to the submit handler). */
export function formOf(event: BaseSyntheticEvent | undefined): HTMLFormElement | null {
  return event?.target instanceof HTMLFormElement ? event.target : null;
}

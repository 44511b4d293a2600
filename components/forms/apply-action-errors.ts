import type { FieldPath, FieldValues, UseFormSetError } from "react-hook-form";

import type { ActionFailure } from "@/lib/actions/result";

/**
 * Puts a failed action's field errors next to their fields, and returns the message for the rest
 * (the form-level alert). Errors for fields the form does not show go to the form-level message.
 */
export function applyActionErrors<T extends FieldValues>(
  failure: ActionFailure,
  setError: UseFormSetError<T>,
  fields: readonly FieldPath<T>[],
): string | null {
  let unplaced: string | null = failure.fieldErrors ? null : failure.error;
  for (const [key, messages] of Object.entries(failure.fieldErrors ?? {})) {
    const message = messages[0] ?? failure.error;
    if ((fields as readonly string[]).includes(key)) setError(key as FieldPath<T>, { type: "server", message });
    else unplaced = unplaced ? `${unplaced} ${message}` : message;
  }
  return unplaced;
}

import type { FieldErrors } from "@/lib/errors";

/** The one result shape every server action returns; safe to import from client components. */
export type ActionFailureCode =
  | "unauthenticated"
  | "licence_required"
  | "permission_required"
  | "validation"
  | "not_found"
  | "conflict"
  | "stale"
  | "limit"
  | "internal"
  /** Made in the browser: the call never got an answer (offline, connection dropped). */
  | "unreachable";

/** `Current` is what a `stale` failure carries: the record as it is now, typed per action. */
export type ActionFailure<Current = unknown> = {
  ok: false;
  code: ActionFailureCode;
  error: string;
  fieldErrors?: FieldErrors;
  /** For `stale`: the record as it is now, so the admin sees what changed. */
  current?: Current;
};

export type ActionResult<T, Current = never> = { ok: true; data: T } | ActionFailure<Current>;

/**
 * Declares what an action's `stale` failure carries (`stale: staleAs<StaleRoute>()` in its
 * definition), so the form reads `result.current` typed, without a cast. Carries no value.
 */
export interface StaleShape<Current> {
  readonly __stale?: Current;
}

export function staleAs<Current>(): StaleShape<Current> {
  return {};
}

export const UNREACHABLE_MESSAGE =
  "The console could not be reached, so nothing was saved. Check your connection and try again — what you typed is kept.";

/** The answer was lost on the way back: the server may have acted, so the admin checks before trying again. */
export const NO_ANSWER_MESSAGE =
  "The console did not answer as expected, so it is not known whether this was saved. What you typed is kept: check the page and try again if needed.";

/**
 * A server action call's result, or a failure when the call itself failed: a server action is a
 * fetch, and a fetch that never reaches the console rejects instead of returning an ActionResult.
 * Every client call site goes through this, so a dropped connection is reported next to the form
 * like any other failure instead of being thrown past it.
 */
export async function asActionResult<T, Current = never>(call: Promise<ActionResult<T, Current>>): Promise<ActionResult<T, Current>> {
  try {
    return await call;
  } catch (error) {
    // fetch rejects with a TypeError when the request could not be sent or its answer read.
    const unsent = error instanceof TypeError || (typeof navigator !== "undefined" && navigator.onLine === false);
    return { ok: false, code: "unreachable", error: unsent ? UNREACHABLE_MESSAGE : NO_ANSWER_MESSAGE };
  }
}

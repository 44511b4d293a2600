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
  | "internal";

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

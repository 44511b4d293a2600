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

export type ActionFailure = {
  ok: false;
  code: ActionFailureCode;
  error: string;
  fieldErrors?: FieldErrors;
  /** For `stale`: the record as it is now, so the admin sees what changed. */
  current?: unknown;
};

export type ActionResult<T> = { ok: true; data: T } | ActionFailure;

import type { FieldErrors } from "@/lib/errors";

/**
 * Every failure of the Automation API in one shape: RFC 9457 problem details
 * (`application/problem+json`) with `type`, `title`, `status`, `detail`, and `errors` per field for
 * validation failures. Never a stack trace, SQL or an internal message: unexpected failures carry
 * only a reference to find them in the log.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export const PROBLEM_TYPES = {
  unauthenticated: { status: 401, title: "Authentication required" },
  licence_required: { status: 403, title: "Licence required" },
  permission_required: { status: 403, title: "Permission required" },
  bad_request: { status: 400, title: "Malformed request" },
  validation: { status: 422, title: "Validation failed" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  limit: { status: 409, title: "Limit reached" },
  idempotency_in_progress: { status: 409, title: "Request in progress" },
  idempotency_mismatch: { status: 422, title: "Idempotency key reused" },
  stale: { status: 412, title: "Precondition failed" },
  precondition_required: { status: 428, title: "Precondition required" },
  too_large: { status: 413, title: "Request too large" },
  length_required: { status: 411, title: "Length required" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldErrors;
  /** For 412: the resource as it is now. */
  current?: unknown;
  /** For 500: quote it to find the failure in the log. */
  reference?: string;
}

export function problemType(code: ProblemCode): string {
  return `urn:problem:email-routing-console:${code.replace(/_/g, "-")}`;
}

export function problemBody(code: ProblemCode, detail: string, extra: Pick<Problem, "errors" | "current" | "reference"> = {}): Problem {
  const { status, title } = PROBLEM_TYPES[code];
  return { type: problemType(code), title, status, detail, ...extra };
}

/** A problem as a ready response (for places outside the endpoint wrapper, e.g. the HTTP server). */
export function problemResponse(code: ProblemCode, detail: string, headers: Record<string, string> = {}): Response {
  const body = problemBody(code, detail);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store", ...headers },
  });
}

import { DomainError } from "@/lib/errors";

/**
 * Optimistic concurrency over HTTP: every resource has a version, sent as its ETag (`"3"`); a
 * change must name the version it was based on in If-Match, and a change based on an older one is
 * refused with 412 (the domain functions compare versions inside their transactions).
 */

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Raised by endpoints when If-Match is missing; the endpoint wrapper answers 428. */
export class PreconditionRequiredError extends DomainError {
  constructor(message: string) {
    super(message, "validation");
  }
}

/**
 * The version If-Match names. `*` means "whatever it is now" and is answered with null (the caller
 * uses the current version). Several tags or a weak one cannot match one version: they are
 * answered as version 0, which no resource has, so the change is refused as stale (412).
 */
export function requiredIfMatch(request: Request): number | null {
  const header = request.headers.get("if-match");
  if (header === null || header.trim() === "") {
    throw new PreconditionRequiredError("Send If-Match with the ETag of the version you change (GET returns it); nothing was changed.");
  }
  const value = header.trim();
  if (value === "*") return null;
  const match = /^"(\d{1,9})"$/.exec(value);
  return match ? Number(match[1]) : 0;
}

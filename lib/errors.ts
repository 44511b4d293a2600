/**
 * Expected failures of domain functions. Server actions turn them into `{ ok: false, … }` results
 * shown next to the form; anything else is unexpected, logged, and shown as a generic message.
 */
export type FieldErrors = Record<string, string[]>;

export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: "validation" | "not_found" | "conflict" | "stale" | "limit",
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, fieldErrors?: FieldErrors) {
    super(message, "validation", fieldErrors);
  }
}

/** Also used for other organisations' records: they do not exist as far as this actor knows. */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message, "not_found");
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, fieldErrors?: FieldErrors) {
    super(message, "conflict", fieldErrors);
  }
}

/** The record changed since the admin loaded it; `current` lets the UI show what changed. */
/** A save refused because the record changed since it was read; `current` is the record as it is now. */
export class StaleVersionError<Current = unknown> extends DomainError {
  constructor(message: string, readonly current: Current) {
    super(message, "stale");
  }
}

export class LimitError extends DomainError {
  constructor(message: string) {
    super(message, "limit");
  }
}

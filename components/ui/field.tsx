import type { ReactNode } from "react";

import { cn } from "./cn";

/**
 * Label, control, hint and error for one input. The error is announced and tied to the control
 * through ids the caller passes on (`aria-describedby`, `aria-invalid`), via `fieldA11y`.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  className,
  compact = false,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  className?: string;
  /** A smaller, quieter label, for the controls in a filter row. */
  compact?: boolean;
}) {
  return (
    <div className={cn(compact ? "space-y-1" : "space-y-1.5", className)}>
      <label htmlFor={id} className={cn("block font-medium", compact ? "text-xs text-slate-600" : "text-sm text-slate-800")}>
        {label}
      </label>
      {children}
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function fieldA11y(id: string, error?: string, hint?: boolean) {
  return {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  } as const;
}

"use client";

import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

import { cn } from "@/components/ui/cn";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";

/**
 * The form kit: a labelled control with its hint and its error, tied together with
 * `aria-describedby`/`aria-invalid` (components/ui/field.tsx), so a form states each field once.
 * Pass react-hook-form's `register(name)` or a value and onChange, like to the bare control.
 */
interface Labelled {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  className?: string;
}

export function TextField({ id, label, hint, error, className, ...input }: Labelled & Omit<InputHTMLAttributes<HTMLInputElement>, "id">) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Input {...fieldA11y(id, error, Boolean(hint))} autoComplete="off" {...input} />
    </Field>
  );
}

/** An email address (or the domain part of one): no autocorrection, the email keyboard on phones. */
export function EmailField(props: Labelled & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type">) {
  return <TextField type="text" inputMode="email" spellCheck={false} {...props} />;
}

export function TextareaField({ id, label, hint, error, className, ...input }: Labelled & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id">) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Textarea {...fieldA11y(id, error, Boolean(hint))} {...input} />
    </Field>
  );
}

export function SelectField({
  id,
  label,
  hint,
  error,
  className,
  children,
  ...select
}: Labelled & Omit<SelectHTMLAttributes<HTMLSelectElement>, "id">) {
  return (
    <Field id={id} label={label} hint={hint} error={error} className={className}>
      <Select {...fieldA11y(id, error, Boolean(hint))} {...select}>
        {children}
      </Select>
    </Field>
  );
}

/** One yes/no choice, its label beside the box and its hint under the label. */
export function CheckboxField({ id, label, hint, ...input }: { id: string; label: ReactNode; hint?: ReactNode } & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type">) {
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" className="mt-0.5 size-4 accent-brand-600" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <div>
        <label htmlFor={id} className="text-sm text-slate-800">
          {label}
        </label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** Several choices from a list, as one group named by its legend; the error is tied to the group. */
export function CheckboxGroup({
  id,
  legend,
  options,
  value,
  onChange,
  error,
  empty,
}: {
  id: string;
  legend: string;
  options: readonly { id: string; name: string }[];
  value: readonly string[];
  onChange: (value: string[]) => void;
  error?: string;
  /** What to show when there is nothing to choose from. */
  empty?: ReactNode;
}) {
  return (
    <fieldset id={id} aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend className="mb-1.5 text-sm font-medium text-slate-800">{legend}</legend>
      {options.length === 0 ? (
        <p className="text-sm text-slate-500">{empty}</p>
      ) : (
        <div className="grid max-h-36 gap-1 overflow-y-auto rounded-md border border-slate-200 p-2 sm:grid-cols-2">
          {options.map((option) => (
            <label key={option.id} className="flex items-center gap-2 rounded px-1 py-0.5 text-sm text-slate-800 hover:bg-slate-50">
              <input
                type="checkbox"
                className="size-4 accent-brand-600"
                checked={value.includes(option.id)}
                onChange={(event) => onChange(event.target.checked ? [...value, option.id] : value.filter((id) => id !== option.id))}
              />
              {option.name}
            </label>
          ))}
        </div>
      )}
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export interface ListedError {
  /** The id of the control, to move to it. */
  id: string;
  label: string;
  message: string;
}

/**
 * Every problem of a refused form at once, above it, each a link to its field. The form names this
 * list in its `aria-describedby`, so it is read with the form; each field keeps its own message too.
 */
export function ErrorList({ id, title, errors, className }: { id: string; title?: string; errors: ListedError[]; className?: string }) {
  if (errors.length === 0) return null;
  return (
    <div id={id} role="alert" className={cn("rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900", className)} data-testid="error-list">
      <p className="font-medium">{title ?? (errors.length === 1 ? "1 field needs attention; nothing was saved." : `${errors.length} fields need attention; nothing was saved.`)}</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {errors.map((error) => (
          <li key={error.id}>
            <a
              href={`#${error.id}`}
              className="underline underline-offset-2"
              onClick={(event) => {
                event.preventDefault();
                document.getElementById(error.id)?.focus();
              }}
            >
              {error.label}
            </a>
            : {error.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

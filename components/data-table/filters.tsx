"use client";

import { Loader2, Search, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useTransition, type ComponentProps, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";

/**
 * The filter row above a table: small labelled controls that apply as they change (no Apply
 * button), a search box that applies after a pause, and "Clear filters".
 */

export function FilterField({ id, label, className, children }: { id: string; label: string; className?: string; children: ReactNode }) {
  return (
    <Field id={id} label={label} className={cn("min-w-0", className)} compact>
      {children}
    </Field>
  );
}

export interface FilterOption {
  value: string;
  label: string;
}

/** A labelled select; `none` is the first choice, meaning "no filter". */
export function FilterSelect({
  id,
  label,
  className,
  none,
  options = [],
  children,
  ...props
}: { id: string; label: string; className?: string; none?: string; options?: readonly FilterOption[] } & ComponentProps<typeof Select>) {
  return (
    <FilterField id={id} label={label} className={className}>
      <Select id={id} {...props}>
        {none !== undefined ? <option value="">{none}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
        {children}
      </Select>
    </FilterField>
  );
}

/** Two dates bounding a list (whole days, UTC, as the server compares them). */
export function DateRangeFilter({
  idPrefix,
  from,
  to,
  onChange,
}: {
  idPrefix: string;
  from: string | undefined;
  to: string | undefined;
  onChange: (change: { from?: string | undefined; to?: string | undefined }) => void;
}) {
  return (
    <>
      <FilterField id={`${idPrefix}-from`} label="From (UTC)">
        <Input id={`${idPrefix}-from`} name="from" type="date" value={from ?? ""} max={to} onChange={(event) => onChange({ from: event.target.value || undefined })} />
      </FilterField>
      <FilterField id={`${idPrefix}-to`} label="To (UTC)">
        <Input id={`${idPrefix}-to`} name="to" type="date" value={to ?? ""} min={from} onChange={(event) => onChange({ to: event.target.value || undefined })} />
      </FilterField>
    </>
  );
}

/** A search box with its icon; a spinner takes the icon's place while the list updates. */
export function SearchField({
  id,
  label,
  className,
  pending = false,
  ...props
}: { id: string; label: string; className?: string; pending?: boolean } & Omit<ComponentProps<typeof Input>, "id" | "type">) {
  const Icon = pending ? Loader2 : Search;
  return (
    <FilterField id={id} label={label} className={className}>
      <div className="relative">
        <Icon className={cn("pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-400", pending && "animate-spin")} aria-hidden />
        <Input id={id} type="search" className="pl-8" autoComplete="off" {...props} />
      </div>
    </FilterField>
  );
}

export function ClearFiltersButton({ onClear, className }: { onClear: () => void; className?: string }) {
  return (
    <Button type="button" variant="ghost" size="sm" className={className} onClick={onClear}>
      <X aria-hidden /> Clear filters
    </Button>
  );
}

type Filters = Record<string, string | number | undefined>;

/**
 * Filters held in the URL of a server-rendered list (shareable, survives reload, Back works).
 * Changing one replaces the URL and the server renders the first page for it; the text fields
 * named in `textKeys` apply once typing pauses. `hrefOf` must be stable (module scope).
 */
export function useUrlFilters<F extends Filters>({
  filters,
  hrefOf,
  keys,
  textKeys,
  delayMs = 350,
}: {
  filters: F;
  hrefOf: (filters: F) => string;
  /** The filters "Clear filters" removes (others, such as the page size, stay). */
  keys: readonly (keyof F & string)[];
  textKeys: readonly (keyof F & string)[];
  delayMs?: number;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [current, setCurrent] = useState<F>(filters);
  const textsOf = useCallback((from: F) => Object.fromEntries(textKeys.map((key) => [key, String(from[key] ?? "")])) as Record<string, string>, [textKeys]);
  const [texts, setTexts] = useState(() => textsOf(filters));
  // The texts this form last asked for: different ones arriving from the server came from Back,
  // Forward or a link and replace the boxes' text; our own must not clobber what is being typed.
  const [requested, setRequested] = useState(() => JSON.stringify(textsOf(filters)));
  const [shown, setShown] = useState(() => hrefOf(filters));
  const serverHref = hrefOf(filters);
  if (shown !== serverHref) {
    setShown(serverHref);
    setCurrent(filters);
    const serverTexts = textsOf(filters);
    if (JSON.stringify(serverTexts) !== requested) {
      setTexts(serverTexts);
      setRequested(JSON.stringify(serverTexts));
    }
  }

  // The URL this form asked for last; the navigation itself happens in an effect, after render.
  const [navigation, setNavigation] = useState<{ href: string; serial: number } | null>(null);
  const next = (change: Partial<F>) => {
    const wanted = { ...current, ...change };
    setCurrent(wanted);
    setRequested(JSON.stringify(textsOf(wanted)));
    setNavigation((last) => ({ href: hrefOf(wanted), serial: (last?.serial ?? 0) + 1 }));
  };
  useEffect(() => {
    if (navigation) startTransition(() => router.replace(navigation.href, { scroll: false }));
  }, [navigation, router]);

  // Typed text applies once typing has paused (the settled value is the very object being typed).
  const settled = useDebouncedValue(texts, delayMs);
  const [appliedTexts, setAppliedTexts] = useState(settled);
  if (settled !== appliedTexts) {
    setAppliedTexts(settled);
    if (settled === texts) {
      const change: Partial<F> = {};
      let differs = false;
      for (const key of textKeys) {
        const value = (settled[key] ?? "").trim();
        if (value !== String(current[key] ?? "")) {
          (change as Filters)[key] = value || undefined;
          differs = true;
        }
      }
      if (differs) next(change);
    }
  }
  const setText = (key: keyof F & string, value: string) => setTexts((old) => ({ ...old, [key]: value }));
  const clear = () => {
    setTexts(Object.fromEntries(textKeys.map((key) => [key, ""])));
    next(Object.fromEntries(keys.map((key) => [key, undefined])) as Partial<F>);
  };
  const filtered = keys.some((key) => Boolean(current[key]));
  /** Enter in a text box: apply what is typed now rather than after the pause. */
  const submitTexts = () => next(Object.fromEntries(textKeys.map((key) => [key, texts[key]?.trim() || undefined])) as Partial<F>);
  /** name, value and onChange for a select (or date) that filters by `key`. */
  const bind = (key: keyof F & string) => ({
    name: key,
    value: String(current[key] ?? ""),
    onChange: (event: { target: { value: string } }) => next({ [key]: event.target.value || undefined } as Partial<F>),
  });

  return { current, texts, setText, apply: next, bind, clear, submitTexts, pending, filtered };
}

/**
 * The form around a list's filters: a plain GET without JavaScript (with an Apply button then),
 * and with it every control applies as it changes, announced to screen readers.
 */
export function FilterForm({
  action,
  label,
  className,
  pending,
  onSubmitTexts,
  children,
}: {
  action: string;
  label: string;
  className?: string;
  pending: boolean;
  onSubmitTexts: () => void;
  children: ReactNode;
}) {
  return (
    <form
      method="get"
      action={action}
      role="search"
      aria-label={label}
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmitTexts();
      }}
    >
      {children}
      <span role="status" className="sr-only">
        {pending ? "Updating the list…" : ""}
      </span>
      <noscript>
        <Button type="submit" size="sm">
          Apply filters
        </Button>
      </noscript>
    </form>
  );
}

/** A filter of the page's link that the list could not apply: its parameter and the value given. */
export interface IgnoredFilter {
  key: string;
  value: string;
}

/**
 * The link's filters the list could not apply (lib/validation/ignored-params.ts), named under the
 * filters so the whole list is not taken for a filtered one.
 */
export function IgnoredFiltersNote({ ignored, labels, className }: { ignored: readonly IgnoredFilter[]; labels: Record<string, string>; className?: string }) {
  if (ignored.length === 0) return null;
  const named = ignored.map(({ key, value }) => `${labels[key] ?? key} “${value.length > 60 ? `${value.slice(0, 59)}…` : value}”`);
  return (
    <p role="note" className={cn("text-xs text-amber-800 [overflow-wrap:anywhere]", className)} data-testid="ignored-filters">
      Not applied: this link’s {new Intl.ListFormat("en", { type: "conjunction" }).format(named)} {ignored.length === 1 ? "is not a value" : "are not values"} this list
      can filter by.
    </p>
  );
}

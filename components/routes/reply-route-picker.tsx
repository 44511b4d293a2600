"use client";

import { useQuery } from "@tanstack/react-query";
import { Loader2, Search, X } from "lucide-react";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";

import { DEFAULT_QUERY, fetchRoutePage } from "./routes-api";

/**
 * Picks "another route" for replies. An organisation may have 100,000 routes, so this searches the
 * server as the admin types (a combobox: arrow keys move, Enter picks, Escape closes).
 */
export function ReplyRoutePicker({
  id,
  value,
  label,
  excludeId,
  invalid,
  describedBy,
  onChange,
}: {
  id: string;
  value: string;
  label: string | null;
  excludeId?: string;
  invalid?: boolean;
  describedBy?: string;
  onChange: (id: string, label: string | null) => void;
}) {
  const listId = useId();
  const [text, setText] = useState("");
  const search = useDebouncedValue(text.trim(), 250);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  const results = useQuery({
    queryKey: ["routes", "reply-picker", search],
    queryFn: ({ signal }) => fetchRoutePage({ ...DEFAULT_QUERY, q: search || undefined, size: 25 }, signal),
    enabled: open,
    staleTime: 30_000,
  });
  const options = (results.data?.rows ?? []).filter((row) => row.id !== excludeId);

  if (value) {
    return (
      <div className="flex h-9 items-center justify-between gap-2 rounded-md border border-slate-300 bg-slate-50 px-3 text-sm">
        <span className="truncate font-mono" id={id} aria-describedby={describedBy}>
          {label ?? value}
        </span>
        <Button type="button" variant="ghost" size="sm" className="h-7 px-2" onClick={() => onChange("", null)} aria-label="Change the reply route">
          <X aria-hidden /> Change
        </Button>
      </div>
    );
  }

  const choose = (index: number) => {
    const option = options[index];
    if (!option) return;
    onChange(option.id, option.address);
    setOpen(false);
    setText("");
  };

  return (
    <div className="relative">
      <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-400" aria-hidden />
      <Input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        className="pl-8"
        placeholder="Search routes by address"
        autoComplete="off"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
            setActive((index) => Math.min(index + 1, Math.max(options.length - 1, 0)));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive((index) => Math.max(index - 1, 0));
          } else if (event.key === "Enter" && open) {
            event.preventDefault();
            choose(active);
          } else if (event.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {open ? (
        <ul
          id={listId}
          role="listbox"
          aria-label="Routes"
          className="absolute z-10 mt-1 max-h-60 w-full overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
        >
          {results.isLoading ? (
            <li className="flex items-center gap-2 px-3 py-2 text-slate-500">
              <Loader2 className="size-4 animate-spin" aria-hidden /> Searching…
            </li>
          ) : options.length === 0 ? (
            <li className="px-3 py-2 text-slate-500">{search ? "No route matches" : "No other routes yet"}</li>
          ) : (
            options.map((option, index) => (
              <li
                key={option.id}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                className={`cursor-pointer px-3 py-2 ${index === active ? "bg-brand-50 text-brand-700" : "text-slate-800"}`}
                onMouseDown={(event) => event.preventDefault()}
                onMouseEnter={() => setActive(index)}
                onClick={() => choose(index)}
              >
                <span className="font-mono">{option.address}</span>
                <span className="ml-2 text-xs text-slate-500">{option.queueName}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}

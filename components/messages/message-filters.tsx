"use client";

import { Loader2, Search, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState, useTransition, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input, Select } from "@/components/ui/input";
import { messagesHref, type MessageFilterKey } from "@/lib/messages/schemas";
import { MESSAGE_STATUSES, MESSAGE_STATUS_LABELS, type MessageFilterLabels } from "@/lib/messages/types";

type Filters = Partial<Record<MessageFilterKey, string>> & { size?: number };

/**
 * The log's filters. The URL holds them (shareable, survives reload, Back works); changing one
 * replaces the URL and the server renders the first page for it. Without JavaScript the form still
 * submits as a plain GET.
 */
export function MessageFilters({
  filters,
  labels,
  queues,
  domains,
}: {
  filters: Filters;
  labels: MessageFilterLabels;
  queues: { id: string; name: string }[];
  domains: { id: string; name: string }[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [current, setCurrent] = useState<Filters>(filters);
  const [text, setText] = useState(filters.q ?? "");
  // The search this form last asked for: a different one arriving from the server came from Back,
  // Forward or a link, and replaces the box's text; our own must not clobber what is being typed.
  const [requestedQ, setRequestedQ] = useState(filters.q ?? "");
  const [shown, setShown] = useState(() => messagesHref(filters));
  const serverHref = messagesHref(filters);
  if (shown !== serverHref) {
    setShown(serverHref);
    setCurrent(filters);
    if ((filters.q ?? "") !== requestedQ) {
      setText(filters.q ?? "");
      setRequestedQ(filters.q ?? "");
    }
  }

  const apply = useCallback(
    (change: Filters) => {
      const next = { ...current, ...change };
      setCurrent(next);
      setRequestedQ(next.q ?? "");
      startTransition(() => router.replace(messagesHref(next), { scroll: false }));
    },
    [current, router],
  );

  // Typing searches after a pause.
  useEffect(() => {
    const q = text.trim();
    if (q === (current.q ?? "")) return;
    const timer = setTimeout(() => apply({ q: q || undefined }), 350);
    return () => clearTimeout(timer);
  }, [text, current.q, apply]);

  const chips = [
    current.route ? { key: "route" as const, label: `Route ${labels.route ?? "(not found)"}` } : null,
    current.queue && !queues.some((queue) => queue.id === current.queue) ? { key: "queue" as const, label: "Queue (not found)" } : null,
  ].filter((chip) => chip !== null);
  const filtered = Boolean(current.q || current.status || current.route || current.queue || current.domain || current.from || current.to);

  return (
    <form
      method="get"
      action="/messages"
      role="search"
      aria-label="Filter messages"
      className="space-y-3 border-b border-slate-200 px-4 py-3"
      onSubmit={(event) => {
        event.preventDefault();
        apply({ q: text.trim() || undefined });
      }}
    >
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-[minmax(0,2fr)_repeat(5,minmax(0,1fr))]">
        <Field id="messages-search" label="Search" className="col-span-2 sm:col-span-3 lg:col-span-1">
          <div className="relative">
            {pending ? (
              <Loader2 className="pointer-events-none absolute left-2.5 top-2.5 size-4 animate-spin text-slate-400" aria-hidden />
            ) : (
              <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-400" aria-hidden />
            )}
            <Input
              id="messages-search"
              name="q"
              type="search"
              className="pl-8"
              placeholder="Address, sender, subject, Message-ID"
              value={text}
              onChange={(event) => setText(event.target.value)}
              autoComplete="off"
            />
          </div>
        </Field>
        <Field id="messages-status" label="Status">
          <Select id="messages-status" name="status" value={current.status ?? ""} onChange={(event) => apply({ status: event.target.value || undefined })}>
            <option value="">Any status</option>
            {MESSAGE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {MESSAGE_STATUS_LABELS[status]}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="messages-queue" label="Queue">
          <Select id="messages-queue" name="queue" value={current.queue ?? ""} onChange={(event) => apply({ queue: event.target.value || undefined })}>
            <option value="">All queues</option>
            {queues.map((queue) => (
              <option key={queue.id} value={queue.id}>
                {queue.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="messages-domain" label="Domain" className="col-span-2 sm:col-span-1">
          <Select id="messages-domain" name="domain" value={current.domain ?? ""} onChange={(event) => apply({ domain: event.target.value || undefined })}>
            <option value="">All domains</option>
            {domains.map((domain) => (
              <option key={domain.id} value={domain.id}>
                {domain.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="messages-from" label="From (UTC)">
          <Input id="messages-from" name="from" type="date" value={current.from ?? ""} max={current.to} onChange={(event) => apply({ from: event.target.value || undefined })} />
        </Field>
        <Field id="messages-to" label="To (UTC)">
          <Input id="messages-to" name="to" type="date" value={current.to ?? ""} min={current.from} onChange={(event) => apply({ to: event.target.value || undefined })} />
        </Field>
      </div>
      {current.route ? <input type="hidden" name="route" value={current.route} /> : null}
      {chips.length > 0 || filtered ? (
        <div className="flex flex-wrap items-center gap-2">
          {chips.map((chip) => (
            <span key={chip.key} className="inline-flex max-w-full items-center gap-1 rounded-full bg-brand-50 py-0.5 pl-2.5 pr-1 text-xs font-medium text-brand-700 ring-1 ring-brand-100">
              <span className="min-w-0 [overflow-wrap:anywhere]">{chip.label}</span>
              <button type="button" className="shrink-0 rounded-full p-0.5 hover:bg-brand-100" aria-label={`Remove the filter: ${chip.label}`} onClick={() => apply({ [chip.key]: undefined })}>
                <X className="size-3.5" aria-hidden />
              </button>
            </span>
          ))}
          {filtered ? (
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={() => {
                setText("");
                apply({ q: undefined, status: undefined, route: undefined, queue: undefined, domain: undefined, from: undefined, to: undefined });
              }}
            >
              <X aria-hidden /> Clear filters
            </Button>
          ) : null}
        </div>
      ) : null}
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

function Field({ id, label, className, children }: { id: string; label: string; className?: string; children: ReactNode }) {
  return (
    <div className={cn("min-w-0", className)}>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
    </div>
  );
}

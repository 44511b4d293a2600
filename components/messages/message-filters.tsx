"use client";

import { X } from "lucide-react";

import { ClearFiltersButton, FilterField, FilterSelect, SearchField, useUrlFilters } from "@/components/data-table/filters";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { MESSAGE_FILTER_KEYS, messagesHref, type MessageFilterKey } from "@/lib/messages/schemas";
import { MESSAGE_STATUSES, MESSAGE_STATUS_LABELS, type MessageFilterLabels } from "@/lib/messages/types";

type Filters = Partial<Record<MessageFilterKey, string>> & { size?: number };
const TEXT_KEYS = ["q"] as const;

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
  const { current, texts, setText, apply, clear, pending, filtered } = useUrlFilters({ filters, hrefOf: messagesHref, keys: MESSAGE_FILTER_KEYS, textKeys: TEXT_KEYS });

  const chips = [
    current.route ? { key: "route" as const, label: `Route ${labels.route ?? "(not found)"}` } : null,
    current.queue && !queues.some((queue) => queue.id === current.queue) ? { key: "queue" as const, label: "Queue (not found)" } : null,
  ].filter((chip) => chip !== null);

  return (
    <form
      method="get"
      action="/messages"
      role="search"
      aria-label="Filter messages"
      className="space-y-3 border-b border-slate-200 px-4 py-3"
      onSubmit={(event) => {
        event.preventDefault();
        apply({ q: texts.q?.trim() || undefined });
      }}
    >
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-[minmax(0,2fr)_repeat(5,minmax(0,1fr))]">
        <SearchField
          id="messages-search"
          label="Search"
          className="col-span-2 sm:col-span-3 lg:col-span-1"
          name="q"
          placeholder="Address, sender, subject, Message-ID"
          pending={pending}
          value={texts.q ?? ""}
          onChange={(event) => setText("q", event.target.value)}
        />
        <FilterSelect id="messages-status" label="Status" name="status" value={current.status ?? ""} onChange={(event) => apply({ status: event.target.value || undefined })}>
          <option value="">Any status</option>
          {MESSAGE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {MESSAGE_STATUS_LABELS[status]}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect id="messages-queue" label="Queue" name="queue" value={current.queue ?? ""} onChange={(event) => apply({ queue: event.target.value || undefined })}>
          <option value="">All queues</option>
          {queues.map((queue) => (
            <option key={queue.id} value={queue.id}>
              {queue.name}
            </option>
          ))}
        </FilterSelect>
        <FilterSelect
          id="messages-domain"
          label="Domain"
          className="col-span-2 sm:col-span-1"
          name="domain"
          value={current.domain ?? ""}
          onChange={(event) => apply({ domain: event.target.value || undefined })}
        >
          <option value="">All domains</option>
          {domains.map((domain) => (
            <option key={domain.id} value={domain.id}>
              {domain.name}
            </option>
          ))}
        </FilterSelect>
        <FilterField id="messages-from" label="From (UTC)">
          <Input id="messages-from" name="from" type="date" value={current.from ?? ""} max={current.to} onChange={(event) => apply({ from: event.target.value || undefined })} />
        </FilterField>
        <FilterField id="messages-to" label="To (UTC)">
          <Input id="messages-to" name="to" type="date" value={current.to ?? ""} min={current.from} onChange={(event) => apply({ to: event.target.value || undefined })} />
        </FilterField>
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
          {filtered ? <ClearFiltersButton onClear={clear} /> : null}
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

"use client";

import { X } from "lucide-react";

import { ClearFiltersButton, DateRangeFilter, FilterForm, FilterSelect, SearchField, useUrlFilters } from "@/components/data-table/filters";
import { MESSAGE_FILTER_KEYS, MESSAGE_SEARCH_MAX_LENGTH, messagesHref, type MessageFilterKey } from "@/lib/messages/schemas";
import { MESSAGE_STATUSES, MESSAGE_STATUS_LABELS, type MessageFilterLabels } from "@/lib/messages/types";

type Filters = Partial<Record<MessageFilterKey, string>> & { size?: number };
const TEXT_KEYS = ["q"] as const;
const STATUS_OPTIONS = MESSAGE_STATUSES.map((status) => ({ value: status, label: MESSAGE_STATUS_LABELS[status] }));
const toOption = (item: { id: string; name: string }) => ({ value: item.id, label: item.name });

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
  const { current, texts, setText, apply, bind, clear, submitTexts, pending, filtered } = useUrlFilters({ filters, hrefOf: messagesHref, keys: MESSAGE_FILTER_KEYS, textKeys: TEXT_KEYS });

  const chips = [
    current.route ? { key: "route" as const, label: `Route ${labels.route ?? "(not found)"}` } : null,
    current.queue && !queues.some((queue) => queue.id === current.queue) ? { key: "queue" as const, label: "Queue (not found)" } : null,
    current.domain && !domains.some((domain) => domain.id === current.domain) ? { key: "domain" as const, label: "Domain (not found)" } : null,
  ].filter((chip) => chip !== null);

  return (
    <FilterForm action="/messages" label="Filter messages" className="space-y-3 border-b border-slate-200 px-4 py-3" pending={pending} onSubmitTexts={submitTexts}>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-[minmax(0,2fr)_repeat(5,minmax(0,1fr))]">
        <SearchField
          id="messages-search"
          label="Search"
          className="col-span-2 sm:col-span-3 lg:col-span-1"
          name="q"
          placeholder="Address, subject, Message-ID"
          maxLength={MESSAGE_SEARCH_MAX_LENGTH}
          pending={pending}
          value={texts.q ?? ""}
          onChange={(event) => setText("q", event.target.value)}
        />
        <FilterSelect id="messages-status" label="Status" none="Any status" options={STATUS_OPTIONS} {...bind("status")} />
        <FilterSelect id="messages-queue" label="Queue" none="All queues" options={queues.map(toOption)} {...bind("queue")} />
        <FilterSelect id="messages-domain" label="Domain" className="col-span-2 sm:col-span-1" none="All domains" options={domains.map(toOption)} {...bind("domain")} />
        <DateRangeFilter idPrefix="messages" from={current.from} to={current.to} onChange={apply} />
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
    </FilterForm>
  );
}

"use client";

import { useMemo } from "react";

import { DataTable, type DataColumn } from "@/components/data-table/data-table";
import { ClearFiltersButton, FilterSelect, SearchField } from "@/components/data-table/filters";
import { Badge } from "@/components/ui/badge";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { RowActions } from "@/components/ui/row-actions";
import { WrappableName } from "@/components/ui/wrappable-name";
import { recentMessagesHref } from "@/lib/messages/schemas";
import { recentMessagesLabel } from "@/lib/messages/types";
import { PAGE_SIZES, ROUTE_STATUSES, ROUTE_SORTS, type ListRoutesQuery, type RouteSort } from "@/lib/routes/schemas";
import { ROUTE_STATUS_LABELS, routeStatusReason } from "@/lib/routes/status";
import type { RouteListPage, RouteLookups, RouteRow } from "@/lib/routes/types";

import { OptionList } from "./option-list";
import { RouteStatusBadge } from "./route-status-badge";
import type { RoutesQueryState } from "./use-routes-query";

function QueueCell({ route, recentMessages }: { route: RouteRow; recentMessages: RouteListPage["recentMessages"] }) {
  return (
    <>
      {route.queueName}
      {route.spamQueueName ? <span className="block text-xs text-slate-500">spam → {route.spamQueueName}</span> : null}
      {recentMessages?.[route.id] ? (
        <Link href={recentMessagesHref("route", route.id)} className="block text-xs text-brand-700 underline-offset-4 hover:underline">
          {recentMessagesLabel(recentMessages[route.id]!)}
        </Link>
      ) : null}
    </>
  );
}

function routeColumns({
  canManage,
  recentMessages,
  onEdit,
  onDelete,
}: {
  canManage: boolean;
  recentMessages: RouteListPage["recentMessages"];
  onEdit: (route: RouteRow) => void;
  onDelete: (route: RouteRow) => void;
}): DataColumn<RouteRow>[] {
  return [
    {
      id: "address",
      // Sorting is the server's; the accessor only marks the column as sortable.
      accessorFn: (route) => route.address,
      header: "Address",
      enableHiding: false,
      meta: { className: "max-w-[18rem]" },
      cell: ({ row: { original: route } }) => (
        <>
          <span className="block font-mono text-slate-900" title={route.address}>
            <WrappableName value={route.address} />
          </span>
          {route.replyAddress ? <span className="block text-xs text-slate-500">replies from {route.replyAddress}</span> : null}
          {/* On a phone the queue column steps aside; the queue still shows, under the address. */}
          <span className="block text-xs text-slate-600 sm:hidden">
            → <QueueCell route={route} recentMessages={recentMessages} />
          </span>
        </>
      ),
    },
    {
      id: "queue",
      accessorFn: (route) => route.queueName,
      header: "Queue",
      meta: { hideBelow: "sm", className: "text-slate-800" },
      cell: ({ row: { original: route } }) => <QueueCell route={route} recentMessages={recentMessages} />,
    },
    {
      id: "skills",
      header: "Skills",
      enableSorting: false,
      meta: { hideBelow: "md" },
      cell: ({ row: { original: route } }) => (
        <div className="flex max-w-[14rem] flex-wrap gap-1">
          {route.skillNames.length === 0 ? <span className="text-slate-400">—</span> : null}
          {route.skillNames.slice(0, 3).map((skill) => (
            <Badge key={skill}>{skill}</Badge>
          ))}
          {route.skillNames.length > 3 ? <Badge title={route.skillNames.slice(3).join(", ")}>+{route.skillNames.length - 3}</Badge> : null}
        </div>
      ),
    },
    { id: "priority", accessorFn: (route) => route.priority, header: "Priority", meta: { hideBelow: "sm", className: "text-slate-800" }, cell: ({ row: { original: route } }) => route.priority },
    {
      id: "status",
      header: "Status",
      enableSorting: false,
      cell: ({ row: { original: route } }) => <RouteStatusBadge status={route.status} reason={routeStatusReason(route.domainStatus, route.domainName)} />,
    },
    {
      id: "updated",
      accessorFn: (route) => route.updatedAt,
      header: "Updated",
      meta: { hideBelow: "lg", className: "whitespace-nowrap text-slate-600" },
      cell: ({ row: { original: route } }) => <LocalTime value={route.updatedAt} />,
    },
    {
      id: "actions",
      enableSorting: false,
      enableHiding: false,
      meta: { actions: true },
      cell: ({ row: { original: route } }) => (
        <RowActions subject={route.address} onEdit={() => onEdit(route)} onDelete={() => onDelete(route)} canManage={canManage} labelsFrom="xl" />
      ),
    },
  ];
}

const STATUS_OPTIONS = ROUTE_STATUSES.map((status) => ({ value: status, label: ROUTE_STATUS_LABELS[status] }));
const SIZE_OPTIONS = PAGE_SIZES.map((size) => ({ value: String(size), label: String(size) }));

function RoutesFilters({
  query,
  lookups,
  searchText,
  onSearchText,
  onFilter,
  onClear,
  filtered,
}: {
  query: ListRoutesQuery;
  lookups: RouteLookups;
  searchText: string;
  onSearchText: (text: string) => void;
  onFilter: (change: Partial<ListRoutesQuery>) => void;
  onClear: () => void;
  filtered: boolean;
}) {
  const bind = (key: "domain" | "queue" | "status") => ({
    value: query[key] ?? "",
    onChange: (event: { target: { value: string } }) => onFilter({ [key]: event.target.value || undefined }),
  });
  return (
    <div className="flex flex-wrap items-end gap-3">
      <SearchField
        id="routes-search"
        label="Search address, queue or skill"
        className="flex-1 basis-56"
        placeholder="e.g. support@ or Billing"
        value={searchText}
        onChange={(event) => onSearchText(event.target.value)}
      />
      <FilterSelect id="routes-domain" label="Domain" className="basis-40" {...bind("domain")}>
        <OptionList options={lookups.domains} none="All domains" />
      </FilterSelect>
      <FilterSelect id="routes-queue" label="Queue" className="basis-36" {...bind("queue")}>
        <OptionList options={lookups.queues} none="All queues" />
      </FilterSelect>
      <FilterSelect id="routes-status" label="Status" className="basis-32" none="Any status" options={STATUS_OPTIONS} {...bind("status")} />
      <FilterSelect id="routes-size" label="Per page" className="basis-24" options={SIZE_OPTIONS} value={String(query.size)} onChange={(event) => onFilter({ size: Number(event.target.value) })} />
      {filtered ? <ClearFiltersButton onClear={onClear} className="h-9" /> : null}
    </div>
  );
}

/** The routes list: filters, the table sorted and paged by the server, and each row's buttons. */
export function RoutesTable({
  state,
  lookups,
  canManage,
  onEdit,
  onDelete,
}: {
  state: RoutesQueryState;
  lookups: RouteLookups;
  canManage: boolean;
  onEdit: (route: RouteRow) => void;
  onDelete: (route: RouteRow) => void;
}) {
  const { query, page, routes, filtered } = state;
  const columns = useMemo(() => routeColumns({ canManage, recentMessages: page.recentMessages, onEdit, onDelete }), [canManage, page.recentMessages, onEdit, onDelete]);
  return (
    <DataTable
      columns={columns}
      data={page.rows}
      getRowId={(route) => route.id}
      caption={`Routes${filtered ? " matching the filters" : ""}`}
      noun="routes"
      sort={{ id: query.sort, desc: query.dir === "desc" }}
      onSortChange={(sort) => {
        if ((ROUTE_SORTS as readonly string[]).includes(sort.id)) state.sortBy(sort.id as RouteSort, sort.desc);
      }}
      page={page}
      onPageChange={state.goToPage}
      hideable
      empty="No routes match. Try another search, or clear the filters."
      stale={routes.isPlaceholderData}
      busy={routes.isFetching}
      rowTestId="route-row"
      toolbar={
        <RoutesFilters
          query={query}
          lookups={lookups}
          searchText={state.searchText}
          onSearchText={state.setSearchText}
          onFilter={state.filter}
          onClear={state.clearFilters}
          filtered={filtered}
        />
      }
    />
  );
}

"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  ArrowDown,
  ArrowUp,
  ArrowUpDown,
  ChevronDown,
  ChevronLeft,
  ChevronRight,
  ChevronsLeft,
  ChevronsRight,
  Download,
  ListOrdered,
  Loader2,
  Plus,
  Search,
  Upload,
  X,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useMemo, useState, useTransition, type ComponentProps } from "react";
import { toast } from "sonner";

import { deleteRouteAction } from "@/app/(console)/routes/actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { RowActions } from "@/components/ui/row-actions";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { LocalTime } from "@/components/ui/local-time";
import { messagesHref } from "@/lib/messages/schemas";
import { recentMessagesLabel } from "@/lib/messages/types";
import { PAGE_SIZES, ROUTE_STATUSES, type ListRoutesQuery, type RouteSort } from "@/lib/routes/schemas";
import { ROUTE_STATUS_LABELS, routeStatusReason } from "@/lib/routes/status";
import type { RouteListPage, RouteLookups, RouteRow } from "@/lib/routes/types";

import { OptionList } from "./option-list";
import { RouteDialog } from "./route-dialog";
import { RouteImportDialog } from "./route-import-dialog";
import { RouteStatusBadge } from "./route-status-badge";
import { fetchRoutePage, queryParams, routesQueryKey } from "./routes-api";

type Editing = { mode: "create" } | { mode: "edit"; route: RouteRow };

const SORTABLE: { sort: RouteSort; label: string; className?: string }[] = [
  { sort: "address", label: "Address" },
  { sort: "queue", label: "Queue" },
  { sort: "priority", label: "Priority", className: "hidden sm:table-cell" },
  { sort: "updated", label: "Updated", className: "hidden lg:table-cell" },
];

function SortHeader({ sort, label, query, onSort, className }: { sort: RouteSort; label: string; query: ListRoutesQuery; onSort: (sort: RouteSort) => void; className?: string }) {
  const active = query.sort === sort;
  const Icon = !active ? ArrowUpDown : query.dir === "asc" ? ArrowUp : ArrowDown;
  return (
    <th scope="col" className={cn("px-4 py-2 font-medium", className)} aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" onClick={() => onSort(sort)} className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-800">
        {label}
        <Icon className={cn("size-3.5", active ? "text-brand-600" : "text-slate-400")} aria-hidden />
        <span className="sr-only">{active ? `, sorted ${query.dir === "asc" ? "ascending" : "descending"}; activate to reverse` : ", activate to sort"}</span>
      </button>
    </th>
  );
}

function PageJump({ page, pageCount, onPage }: { page: number; pageCount: number; onPage: (page: number) => void }) {
  return (
    <form
      className="flex items-center gap-1.5 px-1"
      onSubmit={(event) => {
        event.preventDefault();
        const wanted = Number(new FormData(event.currentTarget).get("page"));
        if (Number.isInteger(wanted)) onPage(Math.min(Math.max(wanted, 1), pageCount));
      }}
    >
      <label htmlFor="routes-page" className="whitespace-nowrap">
        Page
      </label>
      <Input id="routes-page" name="page" inputMode="numeric" className="h-8 w-16 text-center" defaultValue={String(page)} />
      <span className="whitespace-nowrap">of {pageCount.toLocaleString("en")}</span>
    </form>
  );
}

function Pagination({ page, isFetching, onPage }: { page: RouteListPage; isFetching: boolean; onPage: (page: number) => void }) {
  const first = page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = Math.min(page.page * page.pageSize, page.total);
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
      <p aria-live="polite">
        {page.total === 0 ? "No routes" : `${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${page.total.toLocaleString("en")}`}
        {isFetching ? <Loader2 className="ml-2 inline size-4 animate-spin text-slate-400" aria-label="Loading" /> : null}
      </p>
      <div className="flex items-center gap-1">
        <Button variant="ghost" size="icon" onClick={() => onPage(1)} disabled={page.page <= 1} aria-label="First page">
          <ChevronsLeft aria-hidden />
        </Button>
        <Button variant="ghost" size="icon" onClick={() => onPage(page.page - 1)} disabled={page.page <= 1} aria-label="Previous page">
          <ChevronLeft aria-hidden />
        </Button>
        {/* Keyed by page: the box shows the current page again after every move. */}
        <PageJump key={page.page} page={page.page} pageCount={page.pageCount} onPage={onPage} />
        <Button variant="ghost" size="icon" onClick={() => onPage(page.page + 1)} disabled={page.page >= page.pageCount} aria-label="Next page">
          <ChevronRight aria-hidden />
        </Button>
        <Button variant="ghost" size="icon" onClick={() => onPage(page.pageCount)} disabled={page.page >= page.pageCount} aria-label="Last page">
          <ChevronsRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}

function DeleteRouteDialog({ route, onDone }: { route: RouteRow; onDone: (deleted: boolean) => void }) {
  const [pending, startDelete] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <DialogContent title={`Delete ${route.address}?`} description="Mail to this address will no longer be delivered to a queue. The audit log keeps a record of the route.">
      {error ? (
        <Alert tone="danger" className="mb-4">
          {error}
        </Alert>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={() => onDone(false)}>
          Cancel
        </Button>
        <Button
          variant="danger"
          pending={pending}
          onClick={() =>
            startDelete(async () => {
              const result = await deleteRouteAction({ id: route.id });
              if (result.ok) {
                toast.success(`Route ${route.address} deleted`);
                onDone(true);
              } else {
                setError(result.error);
              }
            })
          }
        >
          Delete route
        </Button>
      </div>
    </DialogContent>
  );
}

export function RoutesWorkspace({
  canManage,
  lookups,
  initialQuery,
  initialPage,
}: {
  canManage: boolean;
  lookups: RouteLookups;
  initialQuery: ListRoutesQuery;
  initialPage: RouteListPage;
}) {
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState<ListRoutesQuery>(initialQuery);
  const [searchText, setSearchText] = useState(initialQuery.q ?? "");
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<RouteRow | null>(null);
  const [importing, setImporting] = useState(false);
  const manageHint = canManage ? undefined : MANAGE_REQUIRED_HINT;
  const [initialKey] = useState(() => routesQueryKey(initialQuery).join("|"));

  const routes = useQuery({
    queryKey: routesQueryKey(query),
    queryFn: ({ signal }) => fetchRoutePage(query, signal),
    // While the next page or search loads, the table keeps showing the last one (no flash).
    placeholderData: keepPreviousData,
    // The server rendered the first page already; it counts as fresh for the client's staleTime.
    initialData: routesQueryKey(query).join("|") === initialKey ? initialPage : undefined,
  });
  const data = routes.data ?? initialPage;

  // The URL follows the view (shareable, survives reload) without a server round trip.
  useEffect(() => {
    const params = queryParams(query).toString();
    window.history.replaceState(null, "", params ? `${pathname}?${params}` : pathname);
  }, [query, pathname]);

  // The next page is usually where the admin goes; have it ready.
  useEffect(() => {
    if (!routes.data || routes.isPlaceholderData || routes.data.page >= routes.data.pageCount) return;
    const next = { ...query, page: routes.data.page + 1 };
    void queryClient.prefetchQuery({ queryKey: routesQueryKey(next), queryFn: ({ signal }) => fetchRoutePage(next, signal) });
  }, [routes.data, routes.isPlaceholderData, query, queryClient]);

  // Typing searches after a pause, from the first page.
  useEffect(() => {
    const text = searchText.trim();
    if (text === (query.q ?? "")) return;
    const timer = setTimeout(() => setQuery((current) => ({ ...current, q: text || undefined, page: 1 })), 300);
    return () => clearTimeout(timer);
  }, [searchText, query.q]);

  const update = (change: Partial<ListRoutesQuery>) => setQuery((current) => ({ ...current, page: 1, ...change }));
  const onSort = (sort: RouteSort) =>
    setQuery((current) => ({ ...current, page: 1, sort, dir: current.sort === sort && current.dir === "asc" ? "desc" : "asc" }));
  const refreshList = () => queryClient.invalidateQueries({ queryKey: ["routes"] });

  const domainName = useMemo(() => new Map(lookups.domains.map((domain) => [domain.id, domain.name])), [lookups.domains]);
  const queueName = useMemo(() => new Map(lookups.queues.map((queue) => [queue.id, queue.name])), [lookups.queues]);
  const filtered = Boolean(query.q || query.domain || query.queue || query.status);
  const exportParams = new URLSearchParams(query.domain ? { domain: query.domain } : {});

  const newRouteButton = (
    <Button onClick={() => setEditing({ mode: "create" })} disabled={!canManage || lookups.domains.length === 0} title={manageHint}>
      <Plus aria-hidden /> New route
    </Button>
  );

  const toolbar = (
    <div className="flex flex-wrap items-end gap-3 border-b border-slate-200 px-4 py-3">
      <div className="min-w-0 flex-1 basis-56">
        <label htmlFor="routes-search" className="mb-1 block text-xs font-medium text-slate-600">
          Search address, queue or skill
        </label>
        <div className="relative">
          <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-400" aria-hidden />
          <Input
            id="routes-search"
            type="search"
            className="pl-8"
            placeholder="e.g. support@ or Billing"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </div>
      </div>
      <FilterSelect id="routes-domain" label="Domain" className="basis-40" value={query.domain ?? ""} onChange={(event) => update({ domain: event.target.value || undefined })}>
        <OptionList options={lookups.domains} none="All domains" />
      </FilterSelect>
      <FilterSelect id="routes-queue" label="Queue" className="basis-36" value={query.queue ?? ""} onChange={(event) => update({ queue: event.target.value || undefined })}>
        <OptionList options={lookups.queues} none="All queues" />
      </FilterSelect>
      <FilterSelect
        id="routes-status"
        label="Status"
        className="basis-32"
        value={query.status ?? ""}
        onChange={(event) => update({ status: (event.target.value || undefined) as ListRoutesQuery["status"] })}
      >
        <option value="">Any status</option>
        {ROUTE_STATUSES.map((status) => (
          <option key={status} value={status}>
            {ROUTE_STATUS_LABELS[status]}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect id="routes-size" label="Per page" className="basis-24" value={String(query.size)} onChange={(event) => update({ size: Number(event.target.value) })}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </FilterSelect>
      {filtered ? (
        <Button
          variant="ghost"
          onClick={() => {
            setSearchText("");
            update({ q: undefined, domain: undefined, queue: undefined, status: undefined });
          }}
        >
          <X aria-hidden /> Clear filters
        </Button>
      ) : null}
    </div>
  );

  const activeFilters = [
    query.domain ? `domain ${domainName.get(query.domain) ?? "(unknown)"}` : null,
    query.queue ? `queue ${queueName.get(query.queue) ?? "(unknown)"}` : null,
  ].filter(Boolean);

  return (
    <>
      <div className="mb-4 flex flex-wrap items-center justify-end gap-2">
        <Button variant="secondary" onClick={() => setImporting(true)} disabled={!canManage || lookups.domains.length === 0} title={manageHint}>
          <Upload aria-hidden /> Import CSV
        </Button>
        <DropdownMenu.Root>
          <DropdownMenu.Trigger className={buttonVariants({ variant: "secondary" })}>
            <Download aria-hidden /> Export <ChevronDown aria-hidden />
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
              {(["csv", "json"] as const).map((format) => (
                <DropdownMenu.Item key={format} asChild>
                  <a
                    href={`/api/routes/export?${new URLSearchParams({ format, ...Object.fromEntries(exportParams) }).toString()}`}
                    download
                    className="flex cursor-pointer items-center gap-2 rounded px-3 py-2 text-sm text-slate-700 outline-none data-[highlighted]:bg-slate-100"
                  >
                    {format.toUpperCase()} — {query.domain ? `routes of ${domainName.get(query.domain) ?? "this domain"}` : "all routes"}
                  </a>
                </DropdownMenu.Item>
              ))}
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
        {newRouteButton}
      </div>

      {lookups.domains.length === 0 ? (
        <EmptyState
          icon={ListOrdered}
          title="No domains yet"
          action={
            <Link href="/setup" className={buttonVariants()}>
              Start set-up
            </Link>
          }
        >
          Routes map addresses on your domains to queues. Register a domain first; the set-up wizard walks you through it.
        </EmptyState>
      ) : data.total === 0 && !filtered && !routes.isFetching ? (
        <EmptyState icon={ListOrdered} title="No routes yet" action={newRouteButton}>
          Map an address such as support@ on one of your domains to a queue, or import many at once from a CSV file.
        </EmptyState>
      ) : (
        <Card>
          {toolbar}
          {activeFilters.length > 0 ? (
            <p className="border-b border-slate-200 px-4 py-2 text-xs text-slate-600">Showing routes of {activeFilters.join(" and ")}.</p>
          ) : null}
          {routes.isError ? (
            <div className="p-4">
              <Alert tone="danger" title="The routes could not be loaded">
                {routes.error.message}{" "}
                <button type="button" className="font-medium underline" onClick={() => void routes.refetch()}>
                  Try again
                </button>
              </Alert>
            </div>
          ) : null}
          <div className="relative overflow-x-auto">
            <table className={cn("w-full text-left text-sm transition-opacity", routes.isPlaceholderData && "opacity-60")} aria-busy={routes.isFetching}>
              <caption className="sr-only">Routes{filtered ? " matching the filters" : ""}</caption>
              <thead className="bg-slate-50 text-xs text-slate-500">
                <tr>
                  <SortHeader {...SORTABLE[0]!} query={query} onSort={onSort} />
                  <SortHeader {...SORTABLE[1]!} query={query} onSort={onSort} />
                  <th scope="col" className="hidden px-4 py-2 font-medium uppercase tracking-wide md:table-cell">Skills</th>
                  <SortHeader {...SORTABLE[2]!} query={query} onSort={onSort} />
                  <th scope="col" className="px-4 py-2 font-medium uppercase tracking-wide">Status</th>
                  <SortHeader {...SORTABLE[3]!} query={query} onSort={onSort} />
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="px-4 py-10 text-center text-slate-600">
                      No routes match. Try another search, or clear the filters.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((route) => (
                    <tr key={route.id} data-testid="route-row">
                      <td className="max-w-[18rem] px-4 py-2.5">
                        <span className="block truncate font-mono text-slate-900" title={route.address}>
                          {route.address}
                        </span>
                        {route.replyAddress ? <span className="block truncate text-xs text-slate-500">replies from {route.replyAddress}</span> : null}
                      </td>
                      <td className="px-4 py-2.5 text-slate-800">
                        {route.queueName}
                        {route.spamQueueName ? <span className="block text-xs text-slate-500">spam → {route.spamQueueName}</span> : null}
                        {data.recentMessages?.[route.id] ? (
                          <Link href={messagesHref({ route: route.id })} className="block text-xs text-brand-700 underline-offset-4 hover:underline">
                            {recentMessagesLabel(data.recentMessages[route.id]!)}
                          </Link>
                        ) : null}
                      </td>
                      <td className="hidden px-4 py-2.5 md:table-cell">
                        <div className="flex max-w-[14rem] flex-wrap gap-1">
                          {route.skillNames.length === 0 ? <span className="text-slate-400">—</span> : null}
                          {route.skillNames.slice(0, 3).map((skill) => (
                            <Badge key={skill}>{skill}</Badge>
                          ))}
                          {route.skillNames.length > 3 ? <Badge title={route.skillNames.slice(3).join(", ")}>+{route.skillNames.length - 3}</Badge> : null}
                        </div>
                      </td>
                      <td className="hidden px-4 py-2.5 text-slate-800 sm:table-cell">{route.priority}</td>
                      <td className="px-4 py-2.5">
                        <RouteStatusBadge status={route.status} reason={routeStatusReason(route.domainStatus, route.domainName)} />
                      </td>
                      <td className="hidden whitespace-nowrap px-4 py-2.5 text-slate-600 lg:table-cell">
                        <LocalTime value={route.updatedAt} />
                      </td>
                      <td className="px-4 py-2.5">
                        <RowActions
                          subject={route.address}
                          onEdit={() => setEditing({ mode: "edit", route })}
                          onDelete={() => setDeleting(route)}
                          canManage={canManage}
                          labelsFrom="xl"
                        />
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pagination page={data} isFetching={routes.isFetching} onPage={(page) => setQuery((current) => ({ ...current, page }))} />
        </Card>
      )}

      <RouteDialog
        editing={editing}
        lookups={lookups}
        defaultDomainId={query.domain ?? (lookups.domains.length === 1 ? lookups.domains[0]!.id : undefined)}
        onClose={() => setEditing(null)}
        onSaved={(saved, created) => {
          toast.success(created ? `Route ${saved.address} created` : `Route ${saved.address} saved`);
          setEditing(null);
          void refreshList();
        }}
      />

      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        {deleting ? (
          <DeleteRouteDialog
            key={deleting.id}
            route={deleting}
            onDone={(deleted) => {
              setDeleting(null);
              if (deleted) void refreshList();
            }}
          />
        ) : null}
      </Dialog>

      <Dialog open={importing} onOpenChange={setImporting}>
        {importing ? (
          <RouteImportDialog
            onImported={(created) => {
              toast.success(`Imported ${created.toLocaleString("en")} ${created === 1 ? "route" : "routes"}`);
              setImporting(false);
              void refreshList();
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

/** One labelled filter above the routes table. */
function FilterSelect({ id, label, className, children, ...props }: { id: string; label: string; className: string } & ComponentProps<typeof Select>) {
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">
        {label}
      </label>
      <Select id={id} {...props}>
        {children}
      </Select>
    </div>
  );
}

"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { ListRoutesQuery, RouteSort } from "@/lib/routes/schemas";
import { pageCountOf } from "@/lib/paging";
import type { RoutesViewPage } from "@/lib/routes/types";

import { fetchRoutePage, queryParams, routesQueryKey } from "./routes-api";

/**
 * The routes list's state and data. The query (search, filters, order, page) lives in the URL —
 * shareable, survives reload — and is kept there without a server round trip; the rows come from
 * GET /api/routes through TanStack Query, starting from the page the server rendered.
 */
export function useRoutesQuery(initialQuery: ListRoutesQuery, initialPage: RoutesViewPage) {
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState<ListRoutesQuery>(initialQuery);
  const [searchText, setSearchText] = useState(initialQuery.q ?? "");
  const [initialKey] = useState(() => routesQueryKey(initialQuery).join("|"));

  const routes = useQuery<RoutesViewPage>({
    queryKey: routesQueryKey(query),
    queryFn: ({ signal }) => fetchRoutePage(query, signal),
    // While the next page or search loads, the table keeps showing the last one (no flash).
    placeholderData: keepPreviousData,
    // The server rendered the first page already; it counts as fresh for the client's staleTime.
    initialData: routesQueryKey(query).join("|") === initialKey ? initialPage : undefined,
  });

  useEffect(() => {
    const params = queryParams(query).toString();
    window.history.replaceState(null, "", params ? `${pathname}?${params}` : pathname);
  }, [query, pathname]);

  // The next page is usually where the admin goes; have it ready.
  useEffect(() => {
    if (!routes.data || routes.isPlaceholderData || !hasNextPage(routes.data)) return;
    const next = { ...query, page: routes.data.page + 1 };
    void queryClient.prefetchQuery({ queryKey: routesQueryKey(next), queryFn: ({ signal }) => fetchRoutePage(next, signal) });
  }, [routes.data, routes.isPlaceholderData, query, queryClient]);

  // Typing searches after a pause, from the first page.
  const search = useDebouncedValue(searchText.trim(), 300);
  const [appliedSearch, setAppliedSearch] = useState(search);
  if (search !== appliedSearch) {
    setAppliedSearch(search);
    if (search !== (query.q ?? "")) setQuery((current) => ({ ...current, q: search || undefined, page: 1 }));
  }

  /** A filter changed: back to the first page. */
  const filter = useCallback((change: Partial<ListRoutesQuery>) => setQuery((current) => ({ ...current, page: 1, ...change })), []);
  const sortBy = useCallback((sort: RouteSort, desc: boolean) => setQuery((current) => ({ ...current, page: 1, sort, dir: desc ? "desc" : "asc" })), []);
  const goToPage = useCallback((page: number) => setQuery((current) => ({ ...current, page })), []);
  const clearFilters = useCallback(() => {
    setSearchText("");
    setQuery((current) => ({ ...current, page: 1, q: undefined, domain: undefined, queue: undefined, status: undefined }));
  }, []);
  const refresh = useCallback(() => queryClient.invalidateQueries({ queryKey: ["routes"] }), [queryClient]);

  return {
    query,
    searchText,
    setSearchText,
    filter,
    sortBy,
    goToPage,
    clearFilters,
    refresh,
    routes,
    page: routes.data ?? initialPage,
    filtered: Boolean(query.q || query.domain || query.queue || query.status),
  };
}

/** Whether a page after `page` exists: by its total, or while that is still being counted, by whether the page is full. */
function hasNextPage(page: RoutesViewPage): boolean {
  return typeof page.total === "number" ? page.page < pageCountOf(page.total, page.pageSize) : page.rows.length === page.pageSize;
}

export type RoutesQueryState = ReturnType<typeof useRoutesQuery>;

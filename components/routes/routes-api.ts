import { PAGE_SIZES, type ListRoutesQuery } from "@/lib/routes/schemas";
import type { RouteListPage } from "@/lib/routes/types";

/** Client side of GET /api/routes: query keys, URLs, and errors a person can read. */


export const DEFAULT_QUERY: ListRoutesQuery = { q: undefined, domain: undefined, queue: undefined, status: undefined, sort: "address", dir: "asc", page: 1, size: 50 };

export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Only what differs from the defaults, in a stable order: the URL and the cache key agree. */
export function queryParams(query: ListRoutesQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.domain) params.set("domain", query.domain);
  if (query.queue) params.set("queue", query.queue);
  if (query.status) params.set("status", query.status);
  if (query.sort !== DEFAULT_QUERY.sort) params.set("sort", query.sort);
  if (query.dir !== DEFAULT_QUERY.dir) params.set("dir", query.dir);
  if (query.page !== 1) params.set("page", String(query.page));
  if (query.size !== DEFAULT_QUERY.size && (PAGE_SIZES as readonly number[]).includes(query.size)) params.set("size", String(query.size));
  return params;
}

export function routesQueryKey(query: ListRoutesQuery) {
  return ["routes", "list", queryParams(query).toString()] as const;
}

export async function readJson<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as ({ error?: string } & T) | null;
  if (!response.ok || body === null) {
    const fallback =
      response.status === 401
        ? "Your session has ended. Sign in again to continue."
        : "The console could not be reached. Check your connection and try again.";
    throw new RequestFailed(body?.error ?? fallback, response.status);
  }
  return body;
}

export async function fetchRoutePage(query: ListRoutesQuery, signal?: AbortSignal): Promise<RouteListPage> {
  const response = await fetch(`/api/routes?${queryParams(query).toString()}`, { signal, headers: { Accept: "application/json" } });
  return readJson<RouteListPage>(response);
}

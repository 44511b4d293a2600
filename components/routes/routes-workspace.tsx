"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { ChevronDown, Download, ListOrdered, Plus, Upload } from "lucide-react";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { IgnoredFiltersNote, type IgnoredFilter } from "@/components/data-table/filters";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Link } from "@/components/ui/link";
import type { ListRoutesQuery } from "@/lib/routes/schemas";
import type { RouteLookups, RouteRow, RoutesViewPage } from "@/lib/routes/types";

import { RouteDialog, type RouteEditing } from "./route-dialog";
import { DeleteRouteDialog } from "./route-dialogs";
import { RouteImportDialog } from "./route-import-dialog";
import { RoutesTable } from "./routes-table";
import { useRoutesQuery } from "./use-routes-query";

const FILTER_NAMES = { q: "search", domain: "domain", queue: "queue", status: "status" };

function ExportMenu({ domainId, domainName }: { domainId: string | undefined; domainName: string | undefined }) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className={buttonVariants({ variant: "secondary" })}>
        <Download aria-hidden /> Export <ChevronDown aria-hidden />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
          {(["csv", "json"] as const).map((format) => (
            <DropdownMenu.Item key={format} asChild>
              <a
                href={`/api/routes/export?${new URLSearchParams({ format, ...(domainId ? { domain: domainId } : {}) }).toString()}`}
                download
                className="flex cursor-pointer items-center gap-2 rounded px-3 py-2 text-sm text-slate-700 outline-none data-[highlighted]:bg-slate-100"
              >
                {format.toUpperCase()} — {domainId ? `routes of ${domainName ?? "this domain"}` : "all routes"}
              </a>
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** The routes page below its header: import, export, new route, the list, and its dialogs. */
export function RoutesWorkspace({
  canManage,
  lookups,
  initialQuery,
  initialPage,
  ignored,
}: {
  canManage: boolean;
  lookups: RouteLookups;
  initialQuery: ListRoutesQuery;
  initialPage: RoutesViewPage;
  /** The link's filters that could not be applied: named until the list is filtered anew. */
  ignored: readonly IgnoredFilter[];
}) {
  const state = useRoutesQuery(initialQuery, initialPage);
  const { query, page, routes, filtered, refresh } = state;
  const [editing, setEditing] = useState<RouteEditing | null>(null);
  const [deleting, setDeleting] = useState<RouteRow | null>(null);
  const [importing, setImporting] = useState(false);
  const manageHint = canManage ? undefined : MANAGE_REQUIRED_HINT;
  const onEdit = useCallback((route: RouteRow) => setEditing({ mode: "edit", route }), []);

  const domainName = useMemo(() => new Map(lookups.domains.map((domain) => [domain.id, domain.name])), [lookups.domains]);
  const queueName = useMemo(() => new Map(lookups.queues.map((queue) => [queue.id, queue.name])), [lookups.queues]);
  const activeFilters = [
    query.domain ? `domain ${domainName.get(query.domain) ?? "(unknown)"}` : null,
    query.queue ? `queue ${queueName.get(query.queue) ?? "(unknown)"}` : null,
  ].filter(Boolean);

  const newRouteButton = (
    <Button onClick={() => setEditing({ mode: "create" })} disabled={!canManage || lookups.domains.length === 0} title={manageHint}>
      <Plus aria-hidden /> New route
    </Button>
  );

  return (
    <>
      <div className="mb-4 flex flex-wrap items-center justify-end gap-2">
        <Button variant="secondary" onClick={() => setImporting(true)} disabled={!canManage || lookups.domains.length === 0} title={manageHint}>
          <Upload aria-hidden /> Import CSV
        </Button>
        <ExportMenu domainId={query.domain} domainName={query.domain ? domainName.get(query.domain) : undefined} />
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
      ) : page.rows.length === 0 && page.page === 1 && !filtered && !routes.isFetching ? (
        <EmptyState icon={ListOrdered} title="No routes yet" action={newRouteButton}>
          Map an address such as support@ on one of your domains to a queue, or import many at once from a CSV file.
        </EmptyState>
      ) : (
        <Card>
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
          {query === initialQuery ? <IgnoredFiltersNote ignored={ignored} labels={FILTER_NAMES} className="border-b border-slate-200 px-4 py-2" /> : null}
          {activeFilters.length > 0 ? <p className="border-b border-slate-200 px-4 py-2 text-xs text-slate-600">Showing routes of {activeFilters.join(" and ")}.</p> : null}
          <RoutesTable state={state} lookups={lookups} canManage={canManage} onEdit={onEdit} onDelete={setDeleting} />
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
          void refresh();
        }}
      />
      <DeleteRouteDialog
        route={deleting}
        onDone={(deleted) => {
          setDeleting(null);
          if (deleted) void refresh();
        }}
      />
      <Dialog open={importing} onOpenChange={setImporting}>
        {importing ? (
          <RouteImportDialog
            onImported={(created) => {
              toast.success(`Imported ${created.toLocaleString("en")} ${created === 1 ? "route" : "routes"}`);
              setImporting(false);
              void refresh();
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

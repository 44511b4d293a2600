"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import {
  columnVisibilityFeature,
  rowPaginationFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type ColumnVisibilityState,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown, Check, Columns3 } from "lucide-react";
import { useState, type ReactNode } from "react";

import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

import { DataTablePagination, type PageState } from "./pagination";

/**
 * Every list in the console is one of these: a TanStack Table whose sorting and paging belong to
 * the server (the URL is the state; the table only reports what was asked for), with columns an
 * admin may hide, secondary columns that step aside on narrow screens, optionally cards instead of
 * rows on a phone, and a row-actions column that is never squeezed (its buttons stay whole).
 */

export type Breakpoint = "sm" | "md" | "lg" | "xl";

export interface DataColumnMeta {
  /** Classes for both the header and the cells of the column. */
  className?: string;
  /** Below this width the column is not shown (the row stays readable without it). */
  hideBelow?: Breakpoint;
  /** The column's name in the "Columns" menu, when its header is not plain text. */
  label?: string;
  /** The row's buttons: never wraps, never shrinks, never hidden. */
  actions?: boolean;
}

const features = tableFeatures({ rowSortingFeature, rowPaginationFeature, columnVisibilityFeature, columnMeta: {} as DataColumnMeta });
export type DataTableFeatures = typeof features;
export type DataColumn<TData extends object> = ColumnDef<DataTableFeatures, TData>;

// Whole class names, so Tailwind sees them.
const HIDE_BELOW: Record<Breakpoint, string> = {
  sm: "hidden sm:table-cell",
  md: "hidden md:table-cell",
  lg: "hidden lg:table-cell",
  xl: "hidden xl:table-cell",
};
const TABLE_FROM: Record<Breakpoint, string> = { sm: "hidden sm:table", md: "hidden md:table", lg: "hidden lg:table", xl: "hidden xl:table" };
const COLUMNS_MENU_FROM: Record<Breakpoint, string> = { sm: "hidden sm:inline-flex", md: "hidden md:inline-flex", lg: "hidden lg:inline-flex", xl: "hidden xl:inline-flex" };
const CARDS_BELOW: Record<Breakpoint, string> = { sm: "sm:hidden", md: "md:hidden", lg: "lg:hidden", xl: "xl:hidden" };

export interface SortState {
  id: string;
  desc: boolean;
}

function resolve<T>(updater: Updater<T>, current: T): T {
  return typeof updater === "function" ? (updater as (old: T) => T)(current) : updater;
}

function columnClasses(meta: DataColumnMeta | undefined): string {
  return cn(meta?.hideBelow && HIDE_BELOW[meta.hideBelow], meta?.actions && "w-px whitespace-nowrap text-right", meta?.className);
}

export function DataTable<TData extends object>({
  columns,
  data,
  getRowId,
  caption,
  sort,
  onSortChange,
  page,
  onPageChange,
  hideable = false,
  initialHidden,
  cards,
  empty,
  stale = false,
  busy = false,
  testId,
  rowTestId,
  toolbar,
  noun = "items",
}: {
  columns: DataColumn<TData>[];
  data: TData[];
  getRowId: (row: TData) => string;
  /** What the table lists, for screen readers. */
  caption: string;
  /** The server's current order; headers of sortable columns ask for another through onSortChange. */
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  /** Offset paging done by the server; without it the table shows everything it is given. */
  page?: PageState;
  onPageChange?: (page: number) => void;
  /** Offer a "Columns" menu to hide and show columns. */
  hideable?: boolean;
  initialHidden?: string[];
  /** Cards instead of rows below the breakpoint: for rows too rich to shrink into columns. */
  cards?: { below: Breakpoint; render: (row: TData) => ReactNode; label: string; testId?: string; itemTestId?: string };
  empty: ReactNode;
  /** The rows shown are the previous answer while the next loads. */
  stale?: boolean;
  busy?: boolean;
  testId?: string;
  rowTestId?: string;
  /** Rendered left of the "Columns" menu, in the same bar. */
  toolbar?: ReactNode;
  /** What the rows are, plural ("No routes"). */
  noun?: string;
}) {
  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>(() => Object.fromEntries((initialHidden ?? []).map((id) => [id, false])));
  const sorting: SortingState = sort ? [sort] : [];
  const pagination = { pageIndex: (page?.page ?? 1) - 1, pageSize: page?.pageSize ?? Math.max(data.length, 1) };

  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => getRowId(row),
    state: { sorting, pagination, columnVisibility },
    manualSorting: true,
    manualPagination: true,
    rowCount: typeof page?.total === "number" ? page.total : data.length,
    enableSortingRemoval: false,
    enableMultiSort: false,
    // A newly chosen column starts A→Z / low→high, whatever its type (the library would start numbers high).
    sortDescFirst: false,
    enableSorting: Boolean(onSortChange),
    onSortingChange: (updater) => {
      const next = resolve(updater, sorting)[0];
      if (next && onSortChange) onSortChange({ id: next.id, desc: next.desc });
    },
    onPaginationChange: (updater) => {
      const next = resolve(updater, pagination);
      onPageChange?.(next.pageIndex + 1);
    },
    onColumnVisibilityChange: setColumnVisibility,
  });

  const visibleColumns = table.getVisibleLeafColumns();
  const hideableColumns = table.getAllLeafColumns().filter((column) => column.getCanHide() && !column.columnDef.meta?.actions);

  const tableElement = (
    <div className={cn("relative", cards && TABLE_FROM[cards.below])}>
      <table className={cn("w-full text-left text-sm transition-opacity", stale && "opacity-60")} aria-busy={busy || undefined} data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const direction = header.column.getIsSorted();
                const ariaSort = header.column.getCanSort() ? (direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none") : undefined;
                return (
                  <th key={header.id} scope="col" className={cn("px-4 py-2 font-medium", columnClasses(meta))} aria-sort={ariaSort}>
                    {meta?.actions ? <span className="sr-only">Actions</span> : null}
                    {header.isPlaceholder || meta?.actions ? null : header.column.getCanSort() ? (
                      <SortButton direction={direction} onClick={header.column.getToggleSortingHandler()}>
                        <table.FlexRender header={header} />
                      </SortButton>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-200">
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={visibleColumns.length} className="px-4 py-10 text-center text-slate-600">
                {empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="align-top" data-testid={rowTestId}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={cn("px-4 py-2.5 [overflow-wrap:anywhere]", columnClasses(cell.column.columnDef.meta))}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );

  return (
    <>
      {toolbar || (hideable && hideableColumns.length > 0) ? (
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-4 py-3">
          <div className="min-w-0 flex-1 basis-72">{toolbar}</div>
          {hideable && hideableColumns.length > 0 ? (
            <DropdownMenu.Root>
              {/* Cards show every field: the menu is for the table layout only. */}
              <DropdownMenu.Trigger className={cn(buttonVariants({ variant: "secondary", size: "sm" }), cards && COLUMNS_MENU_FROM[cards.below])}>
                <Columns3 aria-hidden /> Columns
              </DropdownMenu.Trigger>
              <DropdownMenu.Portal>
                <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-44 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
                  {hideableColumns.map((column) => (
                    <DropdownMenu.CheckboxItem
                      key={column.id}
                      checked={column.getIsVisible()}
                      onCheckedChange={(checked) => column.toggleVisibility(checked)}
                      onSelect={(event) => event.preventDefault()}
                      className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm text-slate-700 outline-none data-[highlighted]:bg-slate-100"
                    >
                      <span className="flex size-4 items-center justify-center">
                        <DropdownMenu.ItemIndicator>
                          <Check className="size-4" aria-hidden />
                        </DropdownMenu.ItemIndicator>
                      </span>
                      {column.columnDef.meta?.label ?? (typeof column.columnDef.header === "string" ? column.columnDef.header : column.id)}
                    </DropdownMenu.CheckboxItem>
                  ))}
                </DropdownMenu.Content>
              </DropdownMenu.Portal>
            </DropdownMenu.Root>
          ) : null}
        </div>
      ) : null}
      {cards && data.length === 0 ? (
        // One message for both layouts, rather than one per layout with one of them hidden.
        <p className="px-4 py-10 text-center text-sm text-slate-600">{empty}</p>
      ) : (
        tableElement
      )}
      {cards && data.length > 0 ? (
        <ul className={cn("divide-y divide-slate-200", CARDS_BELOW[cards.below], stale && "opacity-60")} aria-label={cards.label} data-testid={cards.testId}>
          {data.map((row) => (
            <li key={getRowId(row)} className="min-w-0" data-testid={cards.itemTestId}>
              {cards.render(row)}
            </li>
          ))}
        </ul>
      ) : null}
      {page ? <DataTablePagination page={page} busy={busy} noun={noun} onPage={(next) => table.setPageIndex(next - 1)} /> : null}
    </>
  );
}

function SortButton({ direction, onClick, children }: { direction: false | "asc" | "desc"; onClick: ((event: unknown) => void) | undefined; children: ReactNode }) {
  const Icon = direction === "asc" ? ArrowUp : direction === "desc" ? ArrowDown : ArrowUpDown;
  return (
    <button type="button" onClick={onClick} className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-800">
      {children}
      <Icon className={cn("size-3.5", direction ? "text-brand-600" : "text-slate-400")} aria-hidden />
      <span className="sr-only">{direction ? `, sorted ${direction === "asc" ? "ascending" : "descending"}; activate to reverse` : ", activate to sort"}</span>
    </button>
  );
}

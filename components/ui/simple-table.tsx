import type { ReactNode } from "react";

import { cn } from "./cn";

const looks = {
  /** Shaded, upper-case header row, as in the data tables. */
  banded: { head: "bg-slate-50 uppercase tracking-wide", cell: "py-2 font-medium" },
  /** A rule under a plain header row, for a table that sits inside a card. */
  ruled: { head: "border-b border-slate-200", cell: "py-2 pr-3 font-medium last:pr-0" },
} as const;

const paddings = { none: "", sm: "px-3", md: "px-4" } as const;

/** A table is named either by a hidden caption or by `aria-label`, never both. */
type TableName = { caption: string; label?: never } | { label: string; caption?: never };

/**
 * A small read-only table: named, with a header row of column titles and the caller's rows (no
 * sorting, filtering or paging; for that, `DataTable`). The class props add to the defaults,
 * e.g. to turn rows into cards on a phone.
 */
export function SimpleTable({
  columns,
  look = "banded",
  padding = "md",
  stickyHead = false,
  className,
  headClassName,
  bodyClassName,
  children,
  ...name
}: TableName & {
  columns: readonly string[];
  look?: keyof typeof looks;
  /** Horizontal padding of the header cells; the caller's cells match it. */
  padding?: keyof typeof paddings;
  /** Keeps the header row in view while the table scrolls in its container. */
  stickyHead?: boolean;
  className?: string;
  headClassName?: string;
  bodyClassName?: string;
  /** The body's rows. */
  children: ReactNode;
}) {
  const { head, cell } = looks[look];
  return (
    <table className={cn("w-full text-left text-sm", className)} aria-label={name.label}>
      {name.caption ? <caption className="sr-only">{name.caption}</caption> : null}
      <thead className={cn(stickyHead && "sticky top-0", head, "text-xs text-slate-500", headClassName)}>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col" className={cn(paddings[padding], cell)}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className={cn("divide-y divide-slate-200", bodyClassName)}>{children}</tbody>
    </table>
  );
}

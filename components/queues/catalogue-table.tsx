"use client";

import { useMemo } from "react";

import { DataTable, type DataColumn } from "@/components/data-table/data-table";
import { Link } from "@/components/ui/link";
import { RowActions } from "@/components/ui/row-actions";
import { recentMessagesHref } from "@/lib/messages/schemas";
import { recentMessagesLabel } from "@/lib/messages/types";
import { CATALOGUE_NOUNS, type CatalogueKind } from "@/lib/queues/schemas";
import type { CatalogueRow } from "@/lib/queues/types";

export function routesLabel(count: number): string {
  return count === 1 ? "1 route" : `${count.toLocaleString("en")} routes`;
}

/** Where the routes list shows the routes that use an entry. */
export function routesHref(kind: CatalogueKind, row: CatalogueRow): string {
  return kind === "queue" ? `/routes?queue=${row.id}` : `/routes?q=${encodeURIComponent(row.name)}`;
}

function catalogueColumns(kind: CatalogueKind, canManage: boolean, onEdit: (row: CatalogueRow) => void, onDelete: (row: CatalogueRow) => void): DataColumn<CatalogueRow>[] {
  const columns: DataColumn<CatalogueRow>[] = [
    { id: "name", header: "Name", enableHiding: false, meta: { className: "font-medium text-slate-900" }, cell: ({ row }) => row.original.name },
  ];
  if (kind === "queue") {
    columns.push({ id: "description", header: "Description", meta: { hideBelow: "sm", className: "text-slate-600" }, cell: ({ row }) => row.original.description || "—" });
  }
  columns.push(
    {
      id: "usedBy",
      header: "Used by",
      meta: { className: "text-slate-600" },
      cell: ({ row: { original: row } }) => (
        <>
          {row.routeCount === 0 ? (
            "No routes"
          ) : (
            <Link href={routesHref(kind, row)} className="text-brand-700 underline-offset-4 hover:underline">
              {routesLabel(row.routeCount)}
            </Link>
          )}
          {kind === "queue" && row.recentMessages ? (
            <Link href={recentMessagesHref("queue", row.id)} className="block text-xs text-brand-700 underline-offset-4 hover:underline">
              {recentMessagesLabel(row.recentMessages)}
            </Link>
          ) : null}
        </>
      ),
    },
    {
      id: "actions",
      enableHiding: false,
      meta: { actions: true },
      cell: ({ row: { original: row } }) => <RowActions subject={row.name} editLabel="Rename" onEdit={() => onEdit(row)} onDelete={() => onDelete(row)} canManage={canManage} />,
    },
  );
  return columns;
}

/** One catalogue (queues, skills or languages), each entry with what uses it and its buttons. */
export function CatalogueTable({
  kind,
  rows,
  canManage,
  onEdit,
  onDelete,
}: {
  kind: CatalogueKind;
  rows: CatalogueRow[];
  canManage: boolean;
  onEdit: (row: CatalogueRow) => void;
  onDelete: (row: CatalogueRow) => void;
}) {
  const columns = useMemo(() => catalogueColumns(kind, canManage, onEdit, onDelete), [kind, canManage, onEdit, onDelete]);
  return <DataTable columns={columns} data={rows} getRowId={(row) => row.id} caption={CATALOGUE_NOUNS[kind].titleMany} empty={`No ${CATALOGUE_NOUNS[kind].many} yet`} />;
}

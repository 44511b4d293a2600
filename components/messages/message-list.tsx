"use client";

import { ArrowRight } from "lucide-react";

import { DataTable, type DataColumn } from "@/components/data-table/data-table";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { WrappableName } from "@/components/ui/wrappable-name";
import { formatBytes } from "@/lib/mail/types";
import { REFUSAL_REASON_LABELS, type DeliveryListRow, type MessageListRow, type RefusalListRow } from "@/lib/messages/types";

import { MessageStatusBadge, VerdictBadge } from "./status-badges";

function hrefOf(row: MessageListRow): string {
  return row.kind === "delivery" ? `/messages/${row.messageId}` : `/messages/refusals/${row.id}`;
}

function Sender({ row }: { row: MessageListRow }) {
  const sender = row.envelopeFrom === null ? "—" : row.envelopeFrom === "" ? "<> (bounce)" : row.envelopeFrom;
  return (
    <span className="block [overflow-wrap:anywhere]">
      <WrappableName value={sender} />
    </span>
  );
}

function Recipient({ row }: { row: MessageListRow }) {
  return (
    <>
      <span className="block font-medium text-slate-900 [overflow-wrap:anywhere]">
        {row.recipient ? <WrappableName value={row.recipient} /> : "(no recipient)"}
      </span>
      {row.kind === "delivery" && row.originalRecipient && row.originalRecipient.toLowerCase() !== row.recipient.toLowerCase() ? (
        <span className="block text-xs text-slate-500 [overflow-wrap:anywhere]" title={`The customer wrote to ${row.originalRecipient}`}>
          originally <WrappableName value={row.originalRecipient} />
        </span>
      ) : null}
    </>
  );
}

function Checks({ row }: { row: DeliveryListRow }) {
  return (
    <span className="flex flex-wrap gap-1">
      <VerdictBadge check="SPF" verdict={row.auth.spf} />
      <VerdictBadge check="DKIM" verdict={row.auth.dkim} />
      <VerdictBadge check="DMARC" verdict={row.auth.dmarc} />
    </span>
  );
}

function Destination({ row }: { row: DeliveryListRow }) {
  return (
    <>
      <span className="block font-mono text-xs text-slate-600 [overflow-wrap:anywhere]" title={`Route ${row.routeAddress}`}>
        <WrappableName value={row.routeAddress} />
      </span>
      <span className="flex items-center gap-1 text-slate-800">
        <ArrowRight className="size-3.5 shrink-0 text-slate-400" aria-label="into" />
        <span className="min-w-0 [overflow-wrap:anywhere]">{row.queueName}</span>
      </span>
    </>
  );
}

/** The line's title: its subject, or for an attempt refused before DATA, what was refused. */
function Title({ row }: { row: MessageListRow }) {
  if (row.subject) return <>{row.subject}</>;
  if (row.kind === "refusal") return <>{REFUSAL_REASON_LABELS[row.reason] ?? "Refused"}</>;
  return <span className="font-normal italic text-slate-500">(no subject)</span>;
}

function RefusalReply({ row }: { row: RefusalListRow }) {
  return (
    <>
      <span className="block font-mono text-xs text-red-800">
        {row.code} {row.enhancedStatus}
      </span>
      {row.suppressed > 0 ? <span className="block text-xs text-slate-500">+{row.suppressed.toLocaleString("en")} more not stored</span> : null}
    </>
  );
}

const COLUMNS: DataColumn<MessageListRow>[] = [
  {
    id: "received",
    header: "Received",
    meta: { className: "w-[9.5rem] text-xs text-slate-600" },
    cell: ({ row: { original: row } }) => (
      <>
        <Link href={hrefOf(row)} className="text-brand-700 underline-offset-4 hover:underline">
          <LocalTime value={row.at} withSeconds />
        </Link>
        {row.size !== null ? <span className="mt-0.5 block">{formatBytes(row.size)}</span> : null}
      </>
    ),
  },
  {
    id: "parties",
    header: "From → to",
    meta: { className: "w-[22%] text-slate-700", label: "From and to" },
    cell: ({ row: { original: row } }) => (
      <>
        <Sender row={row} />
        <Recipient row={row} />
      </>
    ),
  },
  {
    id: "subject",
    header: "Subject",
    enableHiding: false,
    cell: ({ row: { original: row } }) => (
      <>
        <Link href={hrefOf(row)} className="line-clamp-2 font-medium text-slate-900 [overflow-wrap:anywhere] hover:underline" title={row.subject ?? undefined}>
          <Title row={row} />
        </Link>
        {row.kind === "refusal" ? <span className="mt-0.5 line-clamp-3 text-xs text-slate-600 [overflow-wrap:anywhere]">{row.explanation}</span> : null}
      </>
    ),
  },
  {
    id: "destination",
    header: "Route → queue",
    meta: { className: "w-[18%]", label: "Route and queue" },
    cell: ({ row: { original: row } }) => (row.kind === "delivery" ? <Destination row={row} /> : <RefusalReply row={row} />),
  },
  {
    id: "checks",
    header: "Checks",
    meta: { className: "w-[8rem]" },
    cell: ({ row: { original: row } }) => (row.kind === "delivery" ? <Checks row={row} /> : <span className="text-xs text-slate-400">—</span>),
  },
  {
    id: "status",
    header: "Status",
    meta: { className: "w-[8rem]" },
    cell: ({ row: { original: row } }) => <MessageStatusBadge status={row.status} />,
  },
];

function MessageCard({ row }: { row: MessageListRow }) {
  return (
    <Link href={hrefOf(row)} className="block min-w-0 space-y-1.5 px-4 py-3 hover:bg-slate-50">
      <span className="flex flex-wrap items-center justify-between gap-2">
        <MessageStatusBadge status={row.status} />
        <span className="text-xs text-slate-600">
          <LocalTime value={row.at} withSeconds />
        </span>
      </span>
      <span className="line-clamp-2 font-medium text-slate-900 [overflow-wrap:anywhere]">
        <Title row={row} />
      </span>
      <span className="block text-sm text-slate-700">
        <span className="text-xs text-slate-500">From </span>
        <Sender row={row} />
        <span className="text-xs text-slate-500">To </span>
        <Recipient row={row} />
      </span>
      {row.kind === "delivery" ? (
        <>
          <span className="block text-sm">
            <span className="text-xs text-slate-500">Route </span>
            <Destination row={row} />
          </span>
          <span className="flex flex-wrap items-center gap-2">
            <Checks row={row} />
            <span className="text-xs text-slate-500">{formatBytes(row.size)}</span>
          </span>
        </>
      ) : (
        <span className="block text-sm">
          <RefusalReply row={row} />
          <span className="block text-xs text-slate-600">{row.explanation}</span>
        </span>
      )}
    </Link>
  );
}

const rowKey = (row: MessageListRow) => `${row.kind}:${row.id}`;

/**
 * The log's rows: a table on wide screens, cards on narrow ones (the same rows, each a link to its
 * page). Paged by the server, newest first; only the times are localised in the browser.
 */
export function MessageList({ rows, empty }: { rows: MessageListRow[]; empty: string }) {
  return (
    <DataTable
      columns={COLUMNS}
      data={rows}
      getRowId={rowKey}
      caption="Messages and refused attempts, newest first"
      empty={empty}
      testId="messages-table"
      rowTestId="message-row"
      cards={{ below: "lg", label: "Messages and refused attempts, newest first", render: (row) => <MessageCard row={row} />, testId: "messages-cards", itemTestId: "message-card" }}
    />
  );
}

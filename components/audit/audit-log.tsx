"use client";

import { Download } from "lucide-react";
import { useRouter } from "next/navigation";

import { DataTable, type DataColumn } from "@/components/data-table/data-table";
import { ClearFiltersButton, DateRangeFilter, FilterField, FilterForm, FilterSelect, IgnoredFiltersNote, SearchField, type IgnoredFilter, useUrlFilters } from "@/components/data-table/filters";
import { buttonVariants } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { AUDIT_ENTITY_LABELS, AUDIT_FILTER_KEYS } from "@/lib/audit/schemas";
import { AUDIT_ENTITY_TYPES, readRouteImport, type AuditLogEntry, type AuditLogPage } from "@/lib/audit/types";

import { describeAction, diffAuditValues } from "./audit-diff";
import { AuditEntryChanges } from "./audit-entry-changes";

type AuditFilters = Partial<Record<(typeof AUDIT_FILTER_KEYS)[number], string>>;
const TEXT_KEYS = ["q", "actor"] as const;
const FILTER_NAMES = { q: "text", entity: "type", action: "action", actor: "who", from: "first day", to: "last day" };
const ENTITY_OPTIONS = AUDIT_ENTITY_TYPES.map((type) => ({ value: type, label: AUDIT_ENTITY_LABELS[type] }));

function filterParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

function auditHref(filters: AuditFilters, page = 1): string {
  const params = filterParams(filters);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/audit?${search}` : "/audit";
}

/** What a CSV import created: counts per domain and the addresses. */
function ImportSummary({ after }: { after: unknown }) {
  const record = readRouteImport(after);
  if (!record) return <p className="text-sm text-slate-500">No details recorded.</p>;
  return (
    <div className="space-y-1 text-sm text-slate-700">
      <p>
        {record.created.toLocaleString("en")} {record.created === 1 ? "route" : "routes"} created from {record.rows.toLocaleString("en")}{" "}
        {record.rows === 1 ? "row" : "rows"}
        {record.domains.length > 0 ? ": " : "."}
        {record.domains.map((domain, index) => (
          <span key={domain.name}>
            {index > 0 ? ", " : null}
            <span className="font-mono">{domain.name}</span> ({domain.count.toLocaleString("en")})
          </span>
        ))}
      </p>
      {record.addresses.length > 0 ? (
        <details>
          <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">Addresses ({record.addresses.length.toLocaleString("en")})</summary>
          <ul aria-label="Imported addresses" className="mt-1 max-h-48 overflow-y-auto font-mono text-xs">
            {record.addresses.map((address) => (
              <li key={address}>{address}</li>
            ))}
          </ul>
          {record.created > record.addresses.length ? <p className="text-xs text-slate-500">and {(record.created - record.addresses.length).toLocaleString("en")} more</p> : null}
        </details>
      ) : null}
    </div>
  );
}

function Changes({ entry }: { entry: AuditLogEntry }) {
  if (entry.action === "routes.import") return <ImportSummary after={entry.after} />;
  const count = diffAuditValues(entry.before, entry.after).length;
  return (
    <details className="group">
      <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">
        Changes: {count === 0 ? "No values" : `${count} ${count === 1 ? "field" : "fields"}`}
      </summary>
      <div className="mt-2 rounded-md bg-slate-50 p-3">
        <AuditEntryChanges before={entry.before} after={entry.after} />
      </div>
    </details>
  );
}

/** The subject as an admin knows it (the address, the domain), linked to it while it exists. */
function Subject({ entry }: { entry: AuditLogEntry }) {
  const label = <span className="font-mono [overflow-wrap:anywhere]">{entry.entityLabel}</span>;
  return entry.href ? (
    <Link href={entry.href} className="text-brand-700 underline-offset-4 hover:underline">
      {label}
    </Link>
  ) : (
    label
  );
}

const COLUMNS: DataColumn<AuditLogEntry>[] = [
  {
    id: "when",
    header: "When",
    meta: { hideBelow: "md", className: "whitespace-nowrap text-xs text-slate-600" },
    cell: ({ row }) => <LocalTime value={row.original.createdAt} withSeconds />,
  },
  {
    id: "change",
    header: "Change",
    enableHiding: false,
    cell: ({ row: { original: entry } }) => (
      <>
        <p className="font-semibold text-slate-900">{describeAction(entry.action)}</p>
        <p className="text-slate-900">
          <Subject entry={entry} />
        </p>
        {/* On a phone, when and who move under the change. */}
        <p className="text-xs text-slate-600 md:hidden">
          <LocalTime value={entry.createdAt} withSeconds /> by {entry.actorEmail}
        </p>
      </>
    ),
  },
  { id: "who", header: "Who", meta: { hideBelow: "md", className: "text-slate-700" }, cell: ({ row }) => row.original.actorEmail },
  { id: "details", header: "Details", enableHiding: false, cell: ({ row }) => <Changes entry={row.original} /> },
];

/**
 * The audit log: filters that apply as they change (kept in the URL), the entries newest first
 * with links to what changed, and the filtered entries as CSV.
 */
export function AuditLog({ log, actions, filters, ignored }: { log: AuditLogPage; actions: string[]; filters: AuditFilters; ignored: readonly IgnoredFilter[] }) {
  const router = useRouter();
  const { current, texts, setText, apply, bind, clear, submitTexts, pending, filtered } = useUrlFilters({ filters, hrefOf: auditHref, keys: AUDIT_FILTER_KEYS, textKeys: TEXT_KEYS });
  const exportHref = `/api/audit/export?${filterParams(filters).toString()}`;

  const toolbar = (
    <FilterForm action="/audit" label="Filter the audit log" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6" pending={pending} onSubmitTexts={submitTexts}>
      <SearchField id="audit-q" label="Text" name="q" placeholder="Address, name…" pending={pending} value={texts.q ?? ""} onChange={(event) => setText("q", event.target.value)} />
      <FilterSelect id="audit-entity" label="Type" none="All types" options={ENTITY_OPTIONS} {...bind("entity")} />
      <FilterSelect id="audit-action" label="Action" none="All actions" options={actions.map((action) => ({ value: action, label: describeAction(action) }))} {...bind("action")} />
      <FilterField id="audit-actor" label="Who">
        <Input id="audit-actor" name="actor" placeholder="Email" autoComplete="off" value={texts.actor ?? ""} onChange={(event) => setText("actor", event.target.value)} />
      </FilterField>
      <DateRangeFilter idPrefix="audit" from={current.from} to={current.to} onChange={apply} />
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-6">
        <a href={exportHref} download className={buttonVariants({ variant: "secondary", size: "sm" })}>
          <Download aria-hidden /> Export CSV
        </a>
        {filtered ? <ClearFiltersButton onClear={clear} /> : null}
        <IgnoredFiltersNote ignored={ignored} labels={FILTER_NAMES} className="basis-full" />
      </div>
    </FilterForm>
  );

  return (
    <DataTable
      columns={COLUMNS}
      data={log.entries}
      getRowId={(entry) => entry.id}
      caption="Audit entries, newest first"
      noun="entries"
      page={log}
      onPageChange={(page) => router.push(auditHref(filters, page))}
      empty="No entries match these filters."
      stale={pending}
      busy={pending}
      rowTestId="audit-entry"
      hideable
      toolbar={toolbar}
    />
  );
}

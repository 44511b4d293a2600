import { ChevronLeft, ChevronRight, ScrollText } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";

import { AuditEntryChanges } from "@/components/audit/audit-entry-changes";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Select } from "@/components/ui/input";
import { LocalTime } from "@/components/ui/local-time";
import { PageHeader } from "@/components/ui/page-header";
import { describeAction, diffAuditValues } from "@/components/audit/audit-diff";
import { readAuditPage } from "@/lib/audit/queries";
import { AUDIT_ENTITY_LABELS, auditQuerySchema, type AuditQuery } from "@/lib/audit/schemas";
import { AUDIT_ENTITY_TYPES } from "@/lib/audit/types";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Audit log" };

function hrefFor(query: AuditQuery, page: number): string {
  const params = new URLSearchParams();
  for (const key of ["entity", "action", "actor", "from", "to", "q"] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/audit?${search}` : "/audit";
}

function FilterField({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
    </div>
  );
}

function changeSummary(before: unknown, after: unknown): string {
  const count = diffAuditValues(before, after).length;
  if (count === 0) return "No values";
  return `${count} ${count === 1 ? "field" : "fields"}`;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const raw = await searchParams;
  const query = auditQuerySchema.parse(Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === "string")));
  const { log, actions } = await readAuditPage(actor.organizationId, query);
  const filtered = Boolean(query.entity || query.action || query.actor || query.from || query.to || query.q);

  return (
    <>
      <PageHeader title="Audit log" description="Every change to domains, routes, queues and catalogues: who, when, and what changed." />
      {log.total === 0 && !filtered ? (
        <EmptyState icon={ScrollText} title="Nothing recorded yet">
          Changes made in the console will be listed here with before and after values.
        </EmptyState>
      ) : (
        <Card>
          <form method="get" action="/audit" role="search" aria-label="Filter the audit log" className="grid gap-3 border-b border-slate-200 px-4 py-3 sm:grid-cols-2 lg:grid-cols-6">
            <FilterField id="audit-q" label="Text">
              <Input id="audit-q" name="q" type="search" defaultValue={query.q} placeholder="Address, name…" />
            </FilterField>
            <FilterField id="audit-entity" label="Type">
              <Select id="audit-entity" name="entity" defaultValue={query.entity ?? ""}>
                <option value="">All types</option>
                {AUDIT_ENTITY_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {AUDIT_ENTITY_LABELS[type]}
                  </option>
                ))}
              </Select>
            </FilterField>
            <FilterField id="audit-action" label="Action">
              <Select id="audit-action" name="action" defaultValue={query.action ?? ""}>
                <option value="">All actions</option>
                {actions.map((action) => (
                  <option key={action} value={action}>
                    {describeAction(action)}
                  </option>
                ))}
              </Select>
            </FilterField>
            <FilterField id="audit-actor" label="Who">
              <Input id="audit-actor" name="actor" defaultValue={query.actor} placeholder="Email" autoComplete="off" />
            </FilterField>
            <FilterField id="audit-from" label="From (UTC)">
              <Input id="audit-from" name="from" type="date" defaultValue={query.from} />
            </FilterField>
            <FilterField id="audit-to" label="To (UTC)">
              <Input id="audit-to" name="to" type="date" defaultValue={query.to} />
            </FilterField>
            <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-6">
              <Button type="submit" size="sm">
                Apply filters
              </Button>
              {filtered ? (
                <Link href="/audit" className={buttonVariants({ variant: "ghost", size: "sm" })}>
                  Clear filters
                </Link>
              ) : null}
            </div>
          </form>
          {log.entries.length === 0 ? (
            <p className="px-4 py-10 text-center text-sm text-slate-600">No entries match these filters.</p>
          ) : (
            <ol aria-label="Audit entries" className="divide-y divide-slate-200">
              {log.entries.map((entry) => (
                <li key={entry.id} className="px-4 py-3" data-testid="audit-entry">
                  <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                    <p className="text-sm text-slate-900">
                      <span className="font-semibold">{describeAction(entry.action)}</span>
                      <span className="mx-1.5 text-slate-400" aria-hidden>
                        ·
                      </span>
                      <span className="break-all font-mono">{entry.entityLabel}</span>
                    </p>
                    <p className="text-xs text-slate-600">
                      <LocalTime value={entry.createdAt} withSeconds /> by <span className="font-medium">{entry.actorEmail}</span>
                    </p>
                  </div>
                  <details className="mt-1 group">
                    <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">
                      Changes: {changeSummary(entry.before, entry.after)}
                    </summary>
                    <div className="relative mt-2 overflow-x-auto rounded-md bg-slate-50 p-3">
                      <AuditEntryChanges before={entry.before} after={entry.after} />
                    </div>
                  </details>
                </li>
              ))}
            </ol>
          )}
          <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
            <p>
              {log.total.toLocaleString("en")} {log.total === 1 ? "entry" : "entries"} · page {log.page} of {log.pageCount}
            </p>
            <div className="flex gap-2">
              {log.page > 1 ? (
                <Link href={hrefFor(query, log.page - 1)} className={buttonVariants({ variant: "secondary", size: "sm" })} rel="prev">
                  <ChevronLeft aria-hidden /> Newer
                </Link>
              ) : (
                <span className={cn(buttonVariants({ variant: "secondary", size: "sm" }), "pointer-events-none opacity-50")} aria-disabled="true">
                  <ChevronLeft aria-hidden /> Newer
                </span>
              )}
              {log.page < log.pageCount ? (
                <Link href={hrefFor(query, log.page + 1)} className={buttonVariants({ variant: "secondary", size: "sm" })} rel="next">
                  Older <ChevronRight aria-hidden />
                </Link>
              ) : (
                <span className={cn(buttonVariants({ variant: "secondary", size: "sm" }), "pointer-events-none opacity-50")} aria-disabled="true">
                  Older <ChevronRight aria-hidden />
                </span>
              )}
            </div>
          </nav>
        </Card>
      )}
    </>
  );
}

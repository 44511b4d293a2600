import { ScrollText } from "lucide-react";
import type { Metadata } from "next";

import { AuditLog } from "@/components/audit/audit-log";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { readAuditPage } from "@/lib/audit/queries";
import { AUDIT_FILTER_KEYS, auditQuerySchema } from "@/lib/audit/schemas";
import { requirePageAccess } from "@/lib/auth/gate";
import { ignoredParams } from "@/lib/validation/ignored-params";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageAccess("view");
  const raw = await searchParams;
  const query = auditQuerySchema.parse(Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === "string")));
  const { log, actions } = await readAuditPage(actor.organizationId, query);
  const filters = Object.fromEntries(AUDIT_FILTER_KEYS.map((key) => [key, query[key]]));
  const filtered = AUDIT_FILTER_KEYS.some((key) => query[key]);
  const ignored = ignoredParams(raw, query, AUDIT_FILTER_KEYS);

  return (
    <>
      <PageHeader title="Audit log" description="Every change to domains, routes, queues and catalogues: who, when, and what changed." />
      {log.total === 0 && !filtered ? (
        <EmptyState icon={ScrollText} title="Nothing recorded yet">
          Changes made in the console will be listed here with before and after values.
        </EmptyState>
      ) : (
        <Card>
          <AuditLog log={log} actions={actions} filters={filters} ignored={ignored} />
        </Card>
      )}
    </>
  );
}

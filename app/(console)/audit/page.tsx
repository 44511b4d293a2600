import { ScrollText } from "lucide-react";
import type { Metadata } from "next";

import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  await requirePageAccess("view");
  return (
    <>
      <PageHeader title="Audit log" description="Every change to domains, routes, queues and catalogues: who, when, and what changed." />
      <EmptyState icon={ScrollText} title="Nothing recorded yet">
        Changes made in the console will be listed here with before and after values.
      </EmptyState>
    </>
  );
}

import { Globe } from "lucide-react";
import type { Metadata } from "next";

import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  await requirePageAccess("view");
  return (
    <>
      <PageHeader title="Domains" description="The domains customers write to, with the DNS records that prove you own them." />
      <EmptyState icon={Globe} title="No domains yet">
        Domains you register through Setup appear here with the status of each DNS record.
      </EmptyState>
    </>
  );
}

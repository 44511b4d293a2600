import { ListOrdered } from "lucide-react";
import type { Metadata } from "next";

import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Routes" };

export default async function RoutesPage() {
  await requirePageAccess("view");
  return (
    <>
      <PageHeader title="Routes" description="Which queue each email address delivers into." />
      <EmptyState icon={ListOrdered} title="No routes yet">
        Once a domain is registered, map its addresses (such as support@) to queues here.
      </EmptyState>
    </>
  );
}

import { Wand2 } from "lucide-react";
import type { Metadata } from "next";

import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Setup" };

export default async function SetupPage() {
  await requirePageAccess("view");
  return (
    <>
      <PageHeader title="Setup" description="A guided set-up for inbound email: pick a routing scenario, prove you own the domain, and map addresses to queues." />
      <EmptyState icon={Wand2} title="The set-up wizard is on its way">
        Soon you will choose one of four routing scenarios here and be guided through the DNS records and redirect rules it needs.
      </EmptyState>
    </>
  );
}

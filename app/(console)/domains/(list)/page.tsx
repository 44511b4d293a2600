import { Globe, Plus } from "lucide-react";
import type { Metadata } from "next";

import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { buttonVariants } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { readDomainList } from "@/lib/domains/queries";

import { DomainTable } from "./domain-table";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const domains = await readDomainList(actor.organizationId);
  const addDomain = canManage ? (
    <Link href="/setup" className={buttonVariants()}>
      <Plus aria-hidden /> Add a domain
    </Link>
  ) : null;
  return (
    <>
      {/* With no domain yet, the empty state offers the one way in. */}
      <PageHeader
        title="Domains"
        description="The domains customers write to, with the DNS records that prove you own them."
        actions={domains.length === 0 ? null : addDomain}
      />
      {canManage ? null : <ReadOnlyNotice />}
      {domains.length === 0 ? (
        <EmptyState icon={Globe} title="No domains yet" action={addDomain}>
          Register your own domain or a name under the platform domain through Setup. Each appears here with the status of its DNS records.
        </EmptyState>
      ) : (
        <Card>
          <DomainTable domains={domains} />
        </Card>
      )}
    </>
  );
}

import type { Metadata } from "next";

import { ApiKeyManager } from "@/components/api-keys/api-key-manager";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { readApiKeysPage } from "@/lib/api-keys/queries";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const keys = await readApiKeysPage(actor.organizationId);
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys let scripts and tools such as Terraform manage your routing through the Automation API (<code className="text-xs">/api/v1</code>). A key can
            do at most what its creator may do. Every endpoint is described in the{" "}
            <Link className="text-brand-700 underline" href="/settings/api-reference">
              API reference
            </Link>
            .
          </>
        }
      />
      {canManage ? null : <ReadOnlyNotice />}
      <ApiKeyManager keys={keys} canManage={canManage} />
    </>
  );
}

import type { Metadata } from "next";

import { QueueManager } from "@/components/queues/queue-manager";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { listQueues } from "@/lib/routing/queues";

export const metadata: Metadata = { title: "Queues" };

export default async function QueuesPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const queues = await listQueues(getDb(), actor.organizationId);
  return (
    <>
      <PageHeader title="Queues" description="Where routed email lands. Agents work the queues they are members of." />
      {canManage ? null : <ReadOnlyNotice />}
      <QueueManager
        canManage={canManage}
        queues={queues.map((queue) => ({ id: queue.id, name: queue.name, description: queue.description, version: queue.version }))}
      />
    </>
  );
}

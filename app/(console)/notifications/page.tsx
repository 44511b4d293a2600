import type { Metadata } from "next";

import { DeliveryLog } from "@/components/notifications/delivery-log";
import { NotificationList } from "@/components/notifications/notification-list";
import { WebhookSettings } from "@/components/notifications/webhook-settings";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db/client";
import { getNotificationFeed } from "@/lib/notifications/notifications";
import { listDeliveries } from "@/lib/webhooks/deliveries";
import { getWebhookSettings, redactedUrl } from "@/lib/webhooks/webhooks";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const actor = await requirePageAccess("view");
  const canManage = can(actor, "manage");
  const db = getDb();
  const [feed, webhook, deliveries] = await Promise.all([
    getNotificationFeed(db, actor),
    getWebhookSettings(db, actor.organizationId),
    listDeliveries(db, actor.organizationId),
  ]);
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Your domains are re-checked in the background. When one changes state you hear about it here, in the bell, and at your webhook."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <div className="space-y-6">
        <NotificationList feed={feed} />
        <WebhookSettings
          canManage={canManage}
          webhook={webhook ? { url: canManage ? webhook.url : redactedUrl(webhook.url), enabled: webhook.enabled, version: webhook.version } : null}
        />
        {webhook ? <DeliveryLog deliveries={deliveries} /> : null}
      </div>
    </>
  );
}

import type { Metadata } from "next";

import { DeliveryLog } from "@/components/notifications/delivery-log";
import { NotificationList } from "@/components/notifications/notification-list";
import { WebhookSettings } from "@/components/notifications/webhook-settings";
import { ReadOnlyNotice } from "@/components/shell/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageAccess } from "@/lib/auth/gate";
import { readNotificationsPage } from "@/lib/notifications/queries";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const { feed, webhook, deliveries, canManage } = await readNotificationsPage(await requirePageAccess("view"));
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Your domains are re-checked in the background. When one changes state you hear about it here, in the bell, and at your webhook."
      />
      {canManage ? null : <ReadOnlyNotice />}
      <div className="space-y-6">
        <NotificationList feed={feed} />
        <WebhookSettings canManage={canManage} webhook={webhook} />
        {webhook ? <DeliveryLog deliveries={deliveries} /> : null}
      </div>
    </>
  );
}

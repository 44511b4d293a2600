import "server-only";

import type { AppConfig } from "@/lib/config/env";
import type { DbClient } from "@/lib/db/client";
import { deleteOlderInBatches } from "@/lib/db/delete-in-batches";

/**
 * Retention (NOTIFICATION_RETENTION_DAYS): the bell's notifications and the webhook delivery log's
 * finished deliveries (delivered, or given up) older than the period are deleted; a delivery still
 * being retried stays. The domain's check history and the audit log keep what happened. Run by the
 * job worker's hourly retention job, with the mail's (lib/mail/retention.ts).
 */
export interface NotificationRetentionResult {
  notifications: number;
  webhookDeliveries: number;
}

export async function pruneNotifications(
  db: DbClient,
  config: Pick<AppConfig, "NOTIFICATION_RETENTION_DAYS">,
  now = new Date(),
): Promise<NotificationRetentionResult> {
  const cutoff = new Date(now.getTime() - config.NOTIFICATION_RETENTION_DAYS * 86_400_000);
  const notifications = await deleteOlderInBatches(db, "notifications", cutoff);
  const webhookDeliveries = await deleteOlderInBatches(db, "webhook_deliveries", cutoff);
  return { notifications, webhookDeliveries };
}

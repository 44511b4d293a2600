/**
 * What the notifications area shows (the bell, the Notifications page, the webhook settings and
 * their delivery log): plain data, safe for client components.
 */

export interface NotificationItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  domainId: string | null;
  createdAt: string;
  unread: boolean;
}

export interface NotificationFeed {
  unread: number;
  items: NotificationItem[];
}

export interface WebhookSettingsView {
  id: string;
  url: string;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";


export interface DeliveryView {
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  payload: unknown;
}

/** A refused save of an older version: the webhook as it is now and the fields both admins changed. */
export interface StaleWebhook {
  webhook: WebhookSettingsView;
  conflicts: ("url" | "enabled")[];
}

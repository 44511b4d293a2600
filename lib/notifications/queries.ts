import "server-only";

import { can } from "@/lib/auth/permissions";
import { getDb, type DbClient } from "@/lib/db/client";

import type { DeliveryStatus, DeliveryView, NotificationFeed, WebhookSettingsView } from "./types";

/**
 * What the bell and the Notifications page read. Every query is scoped by the organisation id (and,
 * for read state, the user id) from the checked session.
 */

/** Notifications listed at most (the bell shows fewer). */
export const NOTIFICATION_PAGE_SIZE = 50;

/** Until this moment the user has read everything: when they last marked all read, else when they joined. */
async function readUpTo(db: DbClient, organizationId: string, userId: string): Promise<Date> {
  const user = await db.user.findFirst({ where: { id: userId, organizationId }, select: { notificationsReadAt: true, createdAt: true } });
  return user?.notificationsReadAt ?? user?.createdAt ?? new Date(0);
}

export async function getNotificationFeed(
  actor: { organizationId: string; userId: string },
  limit = NOTIFICATION_PAGE_SIZE,
  db: DbClient = getDb(),
): Promise<NotificationFeed> {
  const since = await readUpTo(db, actor.organizationId, actor.userId);
  const [unread, rows] = await Promise.all([
    db.notification.count({ where: { organizationId: actor.organizationId, createdAt: { gt: since } } }),
    db.notification.findMany({
      where: { organizationId: actor.organizationId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: Math.min(Math.max(limit, 1), NOTIFICATION_PAGE_SIZE),
    }),
  ]);
  return {
    unread,
    items: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      title: row.title,
      body: row.body,
      domainId: row.domainId,
      createdAt: row.createdAt.toISOString(),
      unread: row.createdAt > since,
    })),
  };
}

/** The webhook's columns anyone may see (never the secret), and their view. */
export const webhookViewSelect = { id: true, url: true, enabled: true, version: true, createdAt: true, updatedAt: true } as const;

export function toWebhookView(row: { id: string; url: string; enabled: boolean; version: number; createdAt: Date; updatedAt: Date }): WebhookSettingsView {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function getWebhookSettings(organizationId: string, db: DbClient = getDb()): Promise<WebhookSettingsView | null> {
  const row = await db.webhook.findUnique({ where: { organizationId }, select: webhookViewSelect });
  return row ? toWebhookView(row) : null;
}

/** The URL without its query string and fragment, for people who may read but not manage (a query may carry a token). */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.search || parsed.hash ? "?…" : "";
    return `${parsed.origin}${parsed.pathname}${hidden}`;
  } catch {
    return "(invalid URL)";
  }
}

export const DELIVERY_LOG_SIZE = 50;

export async function listDeliveries(organizationId: string, limit = DELIVERY_LOG_SIZE, db: DbClient = getDb()): Promise<DeliveryView[]> {
  const rows = await db.webhookDelivery.findMany({
    where: { webhook: { organizationId } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map((row) => ({
    id: row.id,
    event: row.event,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    payload: row.payload,
  }));
}

export interface NotificationsPage {
  feed: NotificationFeed;
  /** The URL is shown whole only to admins who can manage: a query string may carry a token. */
  webhook: Pick<WebhookSettingsView, "url" | "enabled" | "version"> | null;
  deliveries: DeliveryView[];
  canManage: boolean;
}

export async function readNotificationsPage(
  actor: { organizationId: string; userId: string; licences: readonly string[]; permissions: readonly string[] },
  db: DbClient = getDb(),
): Promise<NotificationsPage> {
  const canManage = can(actor, "manage");
  const [feed, webhook, deliveries] = await Promise.all([
    getNotificationFeed(actor, NOTIFICATION_PAGE_SIZE, db),
    getWebhookSettings(actor.organizationId, db),
    listDeliveries(actor.organizationId, DELIVERY_LOG_SIZE, db),
  ]);
  return {
    feed,
    webhook: webhook ? { url: canManage ? webhook.url : redactedUrl(webhook.url), enabled: webhook.enabled, version: webhook.version } : null,
    deliveries,
    canManage,
  };
}

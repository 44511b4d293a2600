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

/**
 * The bell's feed, read with every console page: one statement. Until `since` the user has read
 * everything (when they last marked all read, else when they joined); it is read in the same
 * statement as the count and the newest rows, so the three agree.
 */
export async function getNotificationFeed(
  actor: { organizationId: string; userId: string },
  limit = NOTIFICATION_PAGE_SIZE,
  db: DbClient = getDb(),
): Promise<NotificationFeed> {
  const org = actor.organizationId;
  const take = Math.min(Math.max(limit, 1), NOTIFICATION_PAGE_SIZE);
  const rows = await db.$queryRaw<
    { unread: number; since: Date; id: string | null; kind: string | null; title: string | null; body: string | null; domain_id: string | null; created_at: Date | null }[]
  >`
    SELECT s.since, (SELECT count(*)::int FROM notifications c WHERE c.organization_id = ${org}::uuid AND c.created_at > s.since) AS unread,
           n.id, n.kind, n.title, n.body, n.domain_id, n.created_at
      FROM (SELECT coalesce((SELECT coalesce(u.notifications_read_at, u.created_at) FROM users u
                              WHERE u.id = ${actor.userId}::uuid AND u.organization_id = ${org}::uuid), 'epoch'::timestamptz) AS since) s
      LEFT JOIN LATERAL (SELECT id, kind, title, body, domain_id, created_at FROM notifications
                          WHERE organization_id = ${org}::uuid ORDER BY created_at DESC, id DESC LIMIT ${take}) n ON true`;
  const since = rows[0]?.since ?? new Date(0);
  return {
    unread: rows[0]?.unread ?? 0,
    items: rows.flatMap((row) =>
      row.id === null || row.created_at === null
        ? []
        : [{ id: row.id, kind: row.kind!, title: row.title!, body: row.body!, domainId: row.domain_id, createdAt: row.created_at.toISOString(), unread: row.created_at > since }],
    ),
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

import "server-only";

import type { Database, Prisma } from "@/lib/db/client";

/**
 * In-app notifications: one row per organisation and event, shared by its admins; each user's
 * `notifications_read_at` says up to when they have read them. Every query is scoped by the
 * organisation id from the session.
 */

type Writer = Pick<Database, "notification"> | Prisma.TransactionClient;

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

/** Notifications listed at most (the bell shows fewer). */
export const NOTIFICATION_PAGE_SIZE = 50;

export async function createNotification(
  db: Writer,
  input: { organizationId: string; domainId: string | null; kind: string; title: string; body: string; createdAt?: Date },
): Promise<void> {
  await db.notification.create({
    data: {
      organizationId: input.organizationId,
      domainId: input.domainId,
      kind: input.kind.slice(0, 40),
      title: input.title.slice(0, 200),
      body: input.body,
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    },
  });
}

/** Until this moment the user has read everything: when they last marked all read, else when they joined. */
async function readUpTo(db: Database, organizationId: string, userId: string): Promise<Date> {
  const user = await db.user.findFirst({ where: { id: userId, organizationId }, select: { notificationsReadAt: true, createdAt: true } });
  return user?.notificationsReadAt ?? user?.createdAt ?? new Date(0);
}

export async function getNotificationFeed(
  db: Database,
  actor: { organizationId: string; userId: string },
  limit = NOTIFICATION_PAGE_SIZE,
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

/**
 * Marks read everything up to `upTo` (the newest notification the user was shown), never beyond
 * now: one that arrived while the list was open stays unread.
 */
export async function markNotificationsRead(
  db: Database,
  actor: { organizationId: string; userId: string },
  upTo: Date | null,
  now = new Date(),
): Promise<void> {
  const until = upTo && upTo < now ? upTo : now;
  await db.user.updateMany({
    where: {
      id: actor.userId,
      organizationId: actor.organizationId,
      OR: [{ notificationsReadAt: null }, { notificationsReadAt: { lt: until } }],
    },
    data: { notificationsReadAt: until },
  });
}

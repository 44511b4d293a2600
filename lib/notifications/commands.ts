import "server-only";

import type { Database, Prisma } from "@/lib/db/client";

/**
 * In-app notifications: one row per organisation and event, shared by its admins; each user's
 * `notifications_read_at` says up to when they have read them. Every query is scoped by the
 * organisation id from the session.
 */

type Writer = Pick<Database, "notification"> | Prisma.TransactionClient;

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

import { describe, expect, it } from "vitest";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { pruneNotifications } from "@/lib/notifications/retention";

/**
 * Retention of the bell's notifications and the webhook delivery log (NOTIFICATION_RETENTION_DAYS):
 * old ones go, recent ones and deliveries still being retried stay.
 */

const db = getDb();
await seedDemoData(db);
const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
const DAY = 86_400_000;

describe("notification retention", () => {
  it("deletes notifications and finished webhook deliveries older than NOTIFICATION_RETENTION_DAYS, keeping recent ones and deliveries still being retried", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 91 * DAY);
    const recent = new Date(now.getTime() - 89 * DAY);
    const notification = (title: string, createdAt: Date) =>
      db.notification.create({ data: { organizationId: acme.id, kind: "domain.verified", title, body: "…", createdAt } });
    const oldNotice = await notification("old", old);
    const recentNotice = await notification("recent", recent);

    const webhook = await db.webhook.create({ data: { organizationId: acme.id, url: "https://hooks.example/erc", secretSealed: "sealed" } });
    const delivery = (status: string, createdAt: Date) =>
      db.webhookDelivery.create({ data: { webhookId: webhook.id, event: "domain.verified", payload: { test: true }, status, createdAt } });
    const oldDelivered = await delivery("delivered", old);
    const oldFailed = await delivery("failed", old);
    const oldRetrying = await delivery("pending", old);
    const recentDelivered = await delivery("delivered", recent);

    expect(await pruneNotifications(db, { NOTIFICATION_RETENTION_DAYS: 90 }, now)).toEqual({ notifications: 1, webhookDeliveries: 2 });
    expect(await db.notification.findMany({ where: { id: { in: [oldNotice.id, recentNotice.id] } }, select: { title: true } })).toEqual([{ title: "recent" }]);
    const left = await db.webhookDelivery.findMany({ where: { webhookId: webhook.id }, select: { id: true } });
    expect(left.map((row) => row.id).sort()).toEqual([oldRetrying.id, recentDelivered.id].sort());
    expect(left.map((row) => row.id)).not.toContain(oldDelivered.id);
    expect(left.map((row) => row.id)).not.toContain(oldFailed.id);

    // A shorter period takes the recent ones too; the delivery being retried still stays.
    expect(await pruneNotifications(db, { NOTIFICATION_RETENTION_DAYS: 30 }, now)).toEqual({ notifications: 1, webhookDeliveries: 1 });
    expect(await db.webhookDelivery.findMany({ where: { webhookId: webhook.id }, select: { id: true } })).toEqual([{ id: oldRetrying.id }]);
  });
});

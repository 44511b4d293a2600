import "server-only";

import { log } from "@/lib/log";

import { getJobClient } from "./client";
import { JOB_SCHEMA, QUEUES, type DomainCheckJob, type TestMessageJob, type WebhookDeliveryJob } from "./queues";

/**
 * Puts the domain's next check on the queue at `at`, replacing a queued one (an admin's "Check now"
 * moves the schedule). A job already running is left alone; `stately` allows it plus one queued.
 * `null` only removes what was queued (platform domains, failed verifications).
 */
export async function enqueueDomainCheck(domainId: string, at: Date | null): Promise<void> {
  const boss = await getJobClient();
  await boss.getDb().executeSql(
    `DELETE FROM ${JOB_SCHEMA}.job WHERE name = $1 AND COALESCE(singleton_key, '') = $2 AND state < 'active'`,
    [QUEUES.domainCheck, domainId],
  );
  if (!at) return;
  const data: DomainCheckJob = { domainId };
  // null means another instance queued it in between, from the same row: nothing to do.
  await boss.send(QUEUES.domainCheck, data, { singletonKey: domainId, startAfter: at });
}

export async function enqueueWebhookDelivery(deliveryId: string, at: Date): Promise<void> {
  const boss = await getJobClient();
  const data: WebhookDeliveryJob = { deliveryId };
  await boss.send(QUEUES.webhookDelivery, data, { singletonKey: deliveryId, startAfter: at });
}

export async function enqueueTestMessage(testMessageId: string): Promise<void> {
  const boss = await getJobClient();
  const data: TestMessageJob = { testMessageId };
  await boss.send(QUEUES.testMessage, data, { singletonKey: testMessageId });
}

/**
 * After a check's transaction committed: queue what it scheduled. Never throws — the database row
 * (domains.next_check_at, webhook_deliveries.next_attempt_at) is the record of what is due, and
 * the job sweep queues anything due that has no job, so a failure here only delays it.
 */
export async function enqueueAfterCheck(domainId: string, nextCheckAt: Date | null, deliveries: { id: string; at: Date }[]): Promise<void> {
  try {
    await enqueueDomainCheck(domainId, nextCheckAt);
    for (const delivery of deliveries) await enqueueWebhookDelivery(delivery.id, delivery.at);
  } catch (error) {
    log.warn({ err: error, domainId }, "could not queue the next domain check; the job sweep will queue it");
  }
}

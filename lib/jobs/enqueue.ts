import "server-only";

import { connectDomainJobQueue } from "@/lib/domains/follow-ups";

import { wakeLocalWorkers } from "./batch-worker";
import { getJobClient } from "./client";
import { JOB_SCHEMA, QUEUES, type DomainCheckJob, type TestMessageJob, type WebhookDeliveryJob } from "./queues";

/**
 * Puts the domain's next check on the queue at `at`, replacing a queued one (an admin's "Check now"
 * moves the schedule). A job already running is left alone; `stately` allows it plus one queued.
 * `null` only removes what was queued (platform domains, failed verifications).
 */
export async function enqueueDomainCheck(domainId: string, at: Date | null): Promise<void> {
  const boss = await getJobClient();
  // `policy = 'stately'` (every domain-check job's) lets PostgreSQL find the job by pg-boss's own
  // unique index on (name, state, singleton key); without it the delete read every queued check.
  await boss.getDb().executeSql(
    `DELETE FROM ${JOB_SCHEMA}.job WHERE name = $1 AND COALESCE(singleton_key, '') = $2 AND state < 'active' AND policy = 'stately'`,
    [QUEUES.domainCheck, domainId],
  );
  if (!at) return;
  const data: DomainCheckJob = { domainId };
  // null means another instance queued it in between, from the same row: nothing to do.
  await boss.send(QUEUES.domainCheck, data, { singletonKey: domainId, startAfter: at });
  wakeIfDue(QUEUES.domainCheck, at);
}

/** A job due now need not wait for the next poll of a worker in this process. */
function wakeIfDue(queue: string, at: Date | null): void {
  if (!at || at.getTime() <= Date.now()) wakeLocalWorkers(queue);
}

export async function enqueueWebhookDelivery(deliveryId: string, at: Date): Promise<void> {
  const boss = await getJobClient();
  const data: WebhookDeliveryJob = { deliveryId };
  await boss.send(QUEUES.webhookDelivery, data, { singletonKey: deliveryId, startAfter: at });
  wakeIfDue(QUEUES.webhookDelivery, at);
}

export async function enqueueTestMessage(testMessageId: string): Promise<void> {
  const boss = await getJobClient();
  const data: TestMessageJob = { testMessageId };
  await boss.send(QUEUES.testMessage, data, { singletonKey: testMessageId });
  wakeIfDue(QUEUES.testMessage, null);
}

// Domain checks queue their follow-ups here (lib/domains cannot import lib/jobs: it is the other way round).
connectDomainJobQueue({ enqueueDomainCheck, enqueueWebhookDelivery });

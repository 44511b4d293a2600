import "server-only";

import { log } from "@/lib/log";

/**
 * What a domain change or check leaves for after its commit: queueing the domain's next check and
 * the webhook deliveries the check created. lib/jobs runs domain checks, so it depends on
 * lib/domains and never the reverse (docs/decisions/019-domain-follow-ups.md): the commands take
 * their follow-ups as an argument, and checks hand theirs to the job queue the process connected
 * (lib/jobs/enqueue.ts connects it when it loads). Both are never-throw: the database rows
 * (domains.next_check_at, webhook_deliveries.next_attempt_at) are the record of what is due, and the
 * job sweep queues anything due that has no job, so a failure here only delays it.
 */

/** After-commit follow-ups of the domain commands (lib/jobs/domain-checks.ts provides the real ones). */
export interface DomainFollowUps {
  /** The domain was added or its verification restarted: schedule its background checks. */
  scheduleChecks(domainId: string): Promise<unknown>;
}

/** The job queue as a domain check sees it. */
export interface DomainJobQueue {
  enqueueDomainCheck(domainId: string, at: Date | null): Promise<void>;
  enqueueWebhookDelivery(deliveryId: string, at: Date): Promise<void>;
}

// On globalThis: Next bundles instrumentation.ts and route handlers separately, each with its own copy of our modules.
const queueKey = Symbol.for("email-routing-console.domain-job-queue");
const slot = globalThis as unknown as { [queueKey]?: DomainJobQueue };

export function connectDomainJobQueue(queue: DomainJobQueue): void {
  slot[queueKey] = queue;
}

let warnedUnconnected = false;

/** After a check's transaction committed: queue what it scheduled. Never throws. */
export async function enqueueAfterCheck(domainId: string, nextCheckAt: Date | null, deliveries: { id: string; at: Date }[]): Promise<void> {
  const queue = slot[queueKey];
  if (!queue) {
    if (!warnedUnconnected) log.warn({ domainId }, "no job queue in this process: the job sweep will queue the next domain check");
    warnedUnconnected = true;
    return;
  }
  try {
    await queue.enqueueDomainCheck(domainId, nextCheckAt);
    for (const delivery of deliveries) await queue.enqueueWebhookDelivery(delivery.id, delivery.at);
  } catch (error) {
    log.warn({ err: error, domainId }, "could not queue the next domain check; the job sweep will queue it");
  }
}

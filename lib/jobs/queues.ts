import "server-only";

import pg from "pg";
import type PgBoss from "pg-boss";

import type { AppConfig } from "@/lib/config/env";

/** pg-boss keeps its tables in this PostgreSQL schema (created and migrated by pg-boss itself). */
export const JOB_SCHEMA = "pgboss";

export const QUEUES = {
  /** One DNS check of one domain; singleton key = domain id. */
  domainCheck: "domain-check",
  /** One attempt to deliver one webhook event; singleton key = delivery id. */
  webhookDelivery: "webhook-delivery",
  /** Re-enqueues checks and deliveries that are due but have no job (the safety net). */
  sweep: "job-sweep",
  /**
   * Retention, at most hourly: inbound mail and refusals past MESSAGE_RETENTION_DAYS
   * (lib/mail/retention.ts), then notifications and finished webhook deliveries past
   * NOTIFICATION_RETENTION_DAYS (lib/notifications/retention.ts). The queue keeps its first name.
   */
  mailRetention: "mail-retention",
  /** Sends one traced test message (lib/test-messages/deliver.ts); singleton key = test message id. */
  testMessage: "test-message",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface DomainCheckJob {
  domainId: string;
}

export interface WebhookDeliveryJob {
  deliveryId: string;
}

export interface TestMessageJob {
  testMessageId: string;
}

/**
 * Queue policies. `stately` lets at most one job per singleton key be queued and one be active at
 * any moment, enforced by a unique index in PostgreSQL: two workers can never check the same domain
 * (or send the same delivery) at once, however many instances run. The expiry is short so that a
 * job held by a worker that died is handed to another one at the next maintenance pass; the retry
 * limit covers crashes and database hiccups (ordinary outcomes — a record missing, a receiver
 * answering 500 — are results, not job failures, and are scheduled by our own rules).
 */
function queueOptions(config: AppConfig): Record<QueueName, Omit<PgBoss.Queue, "name">> {
  const expireInSeconds = Math.max(1, Math.ceil(config.JOB_EXPIRY / 1000));
  return {
    // Retries start after 1–2 s and double: a job handed back by a stopped worker runs again at once.
    [QUEUES.domainCheck]: { policy: "stately", retryLimit: 5, retryDelay: 1, retryBackoff: true, expireInSeconds },
    [QUEUES.webhookDelivery]: { policy: "stately", retryLimit: 5, retryDelay: 1, retryBackoff: true, expireInSeconds },
    [QUEUES.sweep]: { policy: "standard", retryLimit: 0, expireInSeconds },
    [QUEUES.mailRetention]: { policy: "standard", retryLimit: 2, retryDelay: 60, expireInSeconds: Math.max(expireInSeconds, 600) },
    // Never retried: the message is real mail, and a retry could send it twice (the row's claim
    // stops that too). An MX lookup and up to four SMTP attempts take minutes at worst.
    [QUEUES.testMessage]: { policy: "stately", retryLimit: 0, expireInSeconds: Math.max(expireInSeconds, 600) },
  };
}

/**
 * pg-boss 10 fetches a job with `ORDER BY priority DESC, created_on, id LIMIT n FOR UPDATE SKIP
 * LOCKED` over the queued jobs, and its own index (name, start_after) cannot give that order: every
 * fetch read and sorted every due job — 30–40 ms each with 10,000 domain checks due, a fetch per
 * check, so PostgreSQL, not DNS, bounded how fast workers could check (measured with
 * bench/recheck.ts; docs/decisions/025-job-fetch-index.md). With this index a fetch reads the first
 * due job in order (well under a millisecond). Created on the partitioned job table, it reaches every
 * queue's partition, the ones pg-boss attaches later included.
 */
const FETCH_ORDER_INDEX = `CREATE INDEX IF NOT EXISTS job_fetch_order ON ${JOB_SCHEMA}.job (name, priority DESC, created_on, id) WHERE state < 'active'`;

/** Any number: it only has to differ from the other advisory locks taken on this database. */
const QUEUE_SETUP_LOCK = 725_193_044;

/**
 * Creates the queues, or brings their options in line with the configuration (idempotent). Each
 * queue is a partition pg-boss attaches to its job table; instances starting together would
 * deadlock attaching them, so they take turns under an advisory lock.
 */
export async function ensureQueues(boss: PgBoss, config: AppConfig, url: string): Promise<void> {
  const lock = new pg.Client({ connectionString: url, application_name: "email-routing-queue-setup" });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [QUEUE_SETUP_LOCK]);
    for (const [name, options] of Object.entries(queueOptions(config))) {
      if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, ...options });
      await boss.updateQueue(name, { name, ...options });
    }
    await lock.query(FETCH_ORDER_INDEX);
  } finally {
    // Ending the session releases the lock even if unlocking failed.
    await lock.query("SELECT pg_advisory_unlock($1)", [QUEUE_SETUP_LOCK]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

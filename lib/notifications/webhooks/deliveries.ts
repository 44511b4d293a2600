import "server-only";

import { randomUUID } from "node:crypto";

import type { Actor } from "@/lib/auth/sessions";
import { open } from "@/lib/crypto/sealed-box";
import type { Database, Prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

import { postWebhook, type SendResult } from "./send";
import type { WebhookDependencies } from "./settings";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature";

/**
 * Webhook deliveries: one row per event per webhook, created in the same transaction as the event
 * (so an event is never lost and never sent for a change that rolled back), then attempted by the
 * job queue. A failed attempt is recorded and the next one scheduled with exponential back-off;
 * after WEBHOOK_MAX_ATTEMPTS the delivery is given up. Receivers may see an event twice (a worker
 * killed after sending, before recording) and should ignore repeats of the same delivery id.
 */

const USER_AGENT = "EmailRoutingConsole-Webhooks/1.0";
const MAX_RETRY_DELAY_MS = 3_600_000;

export interface EventPayload {
  /** The delivery id: also sent as a header, stable across attempts. */
  id: string;
  type: string;
  createdAt: string;
  organization: { id: string };
  data: Record<string, unknown>;
}

type Tx = Prisma.TransactionClient;

/** Inside the event's transaction: a pending delivery for the organisation's enabled webhook, if any. */
export async function queueWebhookEvent(
  tx: Tx,
  input: { organizationId: string; type: string; data: Record<string, unknown>; now: Date },
): Promise<{ id: string; at: Date } | null> {
  const webhook = await tx.webhook.findUnique({ where: { organizationId: input.organizationId }, select: { id: true, enabled: true } });
  if (!webhook?.enabled) return null;
  const id = randomUUID();
  const payload: EventPayload = {
    id,
    type: input.type,
    createdAt: input.now.toISOString(),
    organization: { id: input.organizationId },
    data: input.data,
  };
  await tx.webhookDelivery.create({
    data: {
      id,
      webhookId: webhook.id,
      event: input.type.slice(0, 40),
      payload: payload as unknown as Prisma.InputJsonValue,
      status: "pending",
      nextAttemptAt: input.now,
      createdAt: input.now,
    },
  });
  return { id, at: input.now };
}

/** Wait before attempt `attempt + 1`: first, 2×first, 4×first … capped at an hour, ±20 % so retries spread out. */
export function retryDelayMs(attemptsSoFar: number, firstMs: number, random: () => number = Math.random): number {
  const base = Math.min(firstMs * 2 ** Math.max(0, attemptsSoFar - 1), MAX_RETRY_DELAY_MS);
  return Math.round(base * (0.8 + 0.4 * Math.min(Math.max(random(), 0), 1)));
}

function signedHeaders(secret: string, body: string, payload: EventPayload, now: Date): Record<string, string> {
  return {
    "user-agent": USER_AGENT,
    [EVENT_HEADER]: payload.type,
    [DELIVERY_HEADER]: payload.id,
    [SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(now.getTime() / 1000)),
  };
}

export type AttemptOutcome =
  | { outcome: "delivered"; status: number }
  | { outcome: "retry"; nextAttemptAt: Date; error: string }
  | { outcome: "failed"; error: string }
  /** Nothing to do: delivered or given up already, not due yet, or the webhook was deleted. */
  | { outcome: "skipped" };

/**
 * One attempt at a pending delivery. The row is claimed by its attempt count (compare-and-set),
 * so two jobs for the same delivery — which the queue's singleton rule already prevents — could
 * not both record an attempt.
 */
export async function attemptDelivery(db: Database, deliveryId: string, deps: WebhookDependencies, now = new Date()): Promise<AttemptOutcome> {
  const delivery = await db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { webhook: { select: { url: true, enabled: true, secretSealed: true } } },
  });
  if (!delivery || delivery.status !== "pending") return { outcome: "skipped" };
  // A job that runs before the row's time (a retried job, a duplicate) leaves the attempt to the one queued for it.
  if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > now.getTime() + 5_000) return { outcome: "skipped" };
  const attempts = delivery.attempts + 1;
  const record = async (data: Prisma.WebhookDeliveryUpdateManyMutationInput) =>
    db.webhookDelivery.updateMany({ where: { id: delivery.id, status: "pending", attempts: delivery.attempts }, data });

  if (!delivery.webhook.enabled) {
    const error = "The webhook was disabled before this event could be delivered.";
    await record({ status: "failed", nextAttemptAt: null, error });
    return { outcome: "failed", error };
  }
  const payload = delivery.payload as unknown as EventPayload;
  const body = JSON.stringify(payload);
  const secret = open(delivery.webhook.secretSealed, deps.secretsKey);
  const result = await postWebhook(delivery.webhook.url, body, signedHeaders(secret, body, payload, now), deps);
  const finishedAt = new Date(now.getTime() + result.durationMs);
  const common = { attempts, lastAttemptAt: now, responseStatus: result.status };
  if (result.ok) {
    await record({ ...common, status: "delivered", nextAttemptAt: null, error: null });
    return { outcome: "delivered", status: result.status };
  }
  if (result.retryable && attempts < deps.maxAttempts) {
    const nextAttemptAt = new Date(finishedAt.getTime() + retryDelayMs(attempts, deps.retryFirstMs));
    await record({ ...common, status: "pending", nextAttemptAt, error: result.error });
    return { outcome: "retry", nextAttemptAt, error: result.error };
  }
  const error = result.retryable ? `${result.error} Gave up after ${attempts} attempts.` : result.error;
  await record({ ...common, status: "failed", nextAttemptAt: null, error: error.slice(0, 1000) });
  return { outcome: "failed", error };
}

/**
 * "Send test event": one attempt, now, so the admin sees the receiver's answer on the spot. It
 * is logged like any delivery but never retried (a test that fails should be fixed, not repeated).
 * Works while the webhook is disabled, to try a receiver before switching it on.
 */
export async function sendTestEvent(
  db: Database,
  actor: Pick<Actor, "organizationId" | "email">,
  deps: WebhookDependencies,
  now = new Date(),
): Promise<{ deliveryId: string; result: SendResult }> {
  const webhook = await db.webhook.findUnique({ where: { organizationId: actor.organizationId } });
  if (!webhook) throw new NotFoundError("Save a webhook URL first.");
  const id = randomUUID();
  const payload: EventPayload = {
    id,
    type: "webhook.test",
    createdAt: now.toISOString(),
    organization: { id: actor.organizationId },
    data: { message: `A test event sent from the Email Routing Console by ${actor.email}.` },
  };
  const body = JSON.stringify(payload);
  const secret = open(webhook.secretSealed, deps.secretsKey);
  const result = await postWebhook(webhook.url, body, signedHeaders(secret, body, payload, now), deps);
  // Logged once the answer is in, so the log never shows a test stuck "queued".
  await db.webhookDelivery.create({
    data: {
      id,
      webhookId: webhook.id,
      event: payload.type,
      payload: payload as unknown as Prisma.InputJsonValue,
      status: result.ok ? "delivered" : "failed",
      attempts: 1,
      lastAttemptAt: now,
      responseStatus: result.status,
      error: result.ok ? null : result.error,
      createdAt: now,
    },
  });
  return { deliveryId: id, result };
}


"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { staleAs } from "@/lib/actions/result";
import { getConfig } from "@/lib/config/env";
import { markNotificationsRead } from "@/lib/notifications/commands";
import { sendTestEvent } from "@/lib/notifications/webhooks/deliveries";
import type { StaleWebhook, WebhookSettingsView } from "@/lib/notifications/types";
import { markNotificationsReadSchema, saveWebhookSchema, webhookVersionSchema } from "@/lib/notifications/schemas";
import { webhookDependencies } from "@/lib/notifications/webhooks/settings";
import { deleteWebhook, revealWebhookSecret, rotateWebhookSecret, saveWebhook } from "@/lib/notifications/webhooks/commands";

/** Read state is per user: anyone who may view the console marks their own notifications read. */
export const markNotificationsReadAction = defineAction(
  { name: "markNotificationsRead", ability: "view", input: markNotificationsReadSchema },
  async (input, { actor, db }) => {
    await markNotificationsRead(db, actor, input.upTo ? new Date(input.upTo) : null);
    revalidatePath("/notifications");
    return { read: true };
  },
);

export const saveWebhookAction = defineAction(
  { name: "saveWebhook", ability: "manage", input: saveWebhookSchema, stale: staleAs<StaleWebhook>() },
  async (input, { actor, db }) => {
    const saved = await saveWebhook(db, actor, input, webhookDependencies(getConfig()));
    revalidatePath("/notifications");
    return saved;
  },
);

export const revealWebhookSecretAction = defineAction(
  { name: "revealWebhookSecret", ability: "manage", input: z.object({}) },
  async (_input, { actor, db }) => ({ secret: await revealWebhookSecret(db, actor.organizationId, webhookDependencies(getConfig()).secretsKey) }),
);

export const rotateWebhookSecretAction = defineAction(
  { name: "rotateWebhookSecret", ability: "manage", input: webhookVersionSchema, stale: staleAs<WebhookSettingsView>() },
  async (input, { actor, db }) => {
    const rotated = await rotateWebhookSecret(db, actor, input.version, webhookDependencies(getConfig()).secretsKey);
    revalidatePath("/notifications");
    return rotated;
  },
);

export const deleteWebhookAction = defineAction(
  { name: "deleteWebhook", ability: "manage", input: z.object({}) },
  async (_input, { actor, db }) => {
    await deleteWebhook(db, actor);
    revalidatePath("/notifications");
    return { deleted: true };
  },
);

export const sendTestWebhookAction = defineAction(
  { name: "sendTestWebhook", ability: "manage", input: z.object({}) },
  async (_input, { actor, db }) => {
    const { deliveryId, result } = await sendTestEvent(db, actor, webhookDependencies(getConfig()));
    revalidatePath("/notifications");
    return result.ok
      ? { deliveryId, delivered: true as const, status: result.status, durationMs: result.durationMs }
      : { deliveryId, delivered: false as const, status: result.status, error: result.error, durationMs: result.durationMs };
  },
);

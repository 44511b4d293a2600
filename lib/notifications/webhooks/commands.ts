import "server-only";

import type { z } from "zod";

import { threeWayMerge } from "@/lib/actions/merge";
import { recordAudit } from "@/lib/audit/audit";
import type { Actor } from "@/lib/auth/sessions";
import { open, seal } from "@/lib/crypto/sealed-box";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, NotFoundError, StaleVersionError, ValidationError } from "@/lib/errors";

import { checkWebhookUrl } from "./address-guard";
import { WEBHOOK_FIELDS, type saveWebhookSchema } from "../schemas";
import { toWebhookView, webhookViewSelect } from "../queries";
import type { StaleWebhook, WebhookSettingsView } from "../types";
import type { WebhookDependencies } from "./settings";
import { generateWebhookSecret } from "./signature";

/**
 * An organisation's webhook (at most one): where domain events are POSTed, signed with a secret
 * that is stored sealed with SECRETS_KEY and shown only to admins who can manage. Every change is
 * audited in its own transaction, without the secret.
 */

type AuditActor = Pick<Actor, "organizationId" | "userId" | "email">;

function validatedUrl(url: string, deps: Pick<WebhookDependencies, "policy">): string {
  const checked = checkWebhookUrl(url, deps.policy);
  if (!checked.ok) throw new ValidationError(checked.reason, { url: [checked.reason] });
  return checked.url.toString();
}

export async function saveWebhook(
  db: Database,
  actor: AuditActor,
  input: z.output<typeof saveWebhookSchema>,
  deps: Pick<WebhookDependencies, "policy" | "secretsKey">,
): Promise<{ webhook: WebhookSettingsView; created: boolean }> {
  const url = validatedUrl(input.url, deps);
  return db.$transaction(async (tx) => {
    // Saves of the webhook take turns, so a merge starts from the latest version.
    await tx.$queryRaw`SELECT 1 AS locked FROM webhooks WHERE organization_id = ${actor.organizationId}::uuid FOR UPDATE`;
    const existing = await tx.webhook.findUnique({ where: { organizationId: actor.organizationId }, select: webhookViewSelect });
    if (!existing) {
      if (input.version !== undefined) {
        throw new NotFoundError("This webhook was deleted by someone else. Save again to create a new one.");
      }
      try {
        const created = await tx.webhook.create({
          data: { organizationId: actor.organizationId, url, enabled: input.enabled, secretSealed: seal(generateWebhookSecret(), deps.secretsKey) },
          select: webhookViewSelect,
        });
        await recordAudit(tx, actor, { action: "webhook.create", entityType: "webhook", entityId: created.id, entityLabel: url, after: { url, enabled: created.enabled } });
        return { webhook: toWebhookView(created), created: true };
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError("Someone else created a webhook at the same moment. Reload the page to see it.");
        throw error;
      }
    }
    const stale = (conflicts: StaleWebhook["conflicts"]) =>
      new StaleVersionError("Someone else changed the webhook while you were editing it; nothing was saved.", {
        webhook: toWebhookView(existing),
        conflicts,
      } satisfies StaleWebhook);
    let values = { url, enabled: input.enabled };
    if (input.version === undefined) throw stale([]);
    if (input.version !== existing.version) {
      // Saved (or its secret rotated) by someone else since the form opened: merge field by field.
      if (!input.base) throw stale([]);
      const { merged, conflicts } = threeWayMerge(input.base, { url: existing.url, enabled: existing.enabled }, values, WEBHOOK_FIELDS);
      if (conflicts.length > 0) throw stale(conflicts);
      values = merged;
    }
    const updated = await tx.webhook.updateMany({
      where: { id: existing.id, version: existing.version },
      data: { ...values, version: { increment: 1 } },
    });
    if (updated.count === 0) throw stale([]);
    const saved = await tx.webhook.findUniqueOrThrow({ where: { id: existing.id }, select: webhookViewSelect });
    await recordAudit(tx, actor, {
      action: existing.enabled !== saved.enabled && existing.url === saved.url ? (saved.enabled ? "webhook.enable" : "webhook.disable") : "webhook.update",
      entityType: "webhook",
      entityId: saved.id,
      entityLabel: saved.url,
      before: { url: existing.url, enabled: existing.enabled },
      after: { url: saved.url, enabled: saved.enabled },
    });
    return { webhook: toWebhookView(saved), created: false };
  });
}

export async function revealWebhookSecret(db: Database, organizationId: string, secretsKey: string): Promise<string> {
  const row = await db.webhook.findUnique({ where: { organizationId }, select: { secretSealed: true } });
  if (!row) throw new NotFoundError("There is no webhook to show a secret for.");
  return open(row.secretSealed, secretsKey);
}

/** A new secret replaces the old one at once: receivers must switch to it (the page says so). */
export async function rotateWebhookSecret(
  db: Database,
  actor: AuditActor,
  version: number,
  secretsKey: string,
): Promise<{ secret: string; webhook: WebhookSettingsView }> {
  const secret = generateWebhookSecret();
  return db.$transaction(async (tx) => {
    const existing = await tx.webhook.findUnique({ where: { organizationId: actor.organizationId }, select: webhookViewSelect });
    if (!existing) throw new NotFoundError("There is no webhook to rotate the secret of.");
    const updated = await tx.webhook.updateMany({
      where: { id: existing.id, version },
      data: { secretSealed: seal(secret, secretsKey), version: { increment: 1 } },
    });
    if (updated.count === 0) throw new StaleVersionError("Someone else changed the webhook while you were looking at it.", toWebhookView(existing));
    await recordAudit(tx, actor, { action: "webhook.rotate_secret", entityType: "webhook", entityId: existing.id, entityLabel: existing.url });
    return { secret, webhook: toWebhookView(await tx.webhook.findUniqueOrThrow({ where: { id: existing.id }, select: webhookViewSelect })) };
  });
}

export async function deleteWebhook(db: Database, actor: AuditActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = await tx.webhook.findUnique({ where: { organizationId: actor.organizationId }, select: webhookViewSelect });
    if (!existing) throw new NotFoundError("There is no webhook to delete.");
    await tx.webhook.delete({ where: { id: existing.id } });
    await recordAudit(tx, actor, {
      action: "webhook.delete",
      entityType: "webhook",
      entityId: existing.id,
      entityLabel: existing.url,
      before: { url: existing.url, enabled: existing.enabled },
    });
  });
}

import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import type { Actor } from "@/lib/auth/gate";
import { hasPermission } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { NotFoundError, ValidationError } from "@/lib/errors";

import { apiKeyView, apiKeyViewSelect } from "./queries";
import type { CreateApiKeyValues } from "./schemas";
import { generateApiKey } from "./secret";
import type { ApiKeyView, CreatedApiKey } from "./types";

/** Creating and revoking API keys: each in its own transaction with its audit entry. */

type KeyActor = Pick<Actor, "organizationId" | "userId" | "email" | "permissions">;

function snapshot(key: ApiKeyView) {
  return { name: key.name, ability: key.ability, prefix: key.prefix, expiresAt: key.expiresAt };
}

export async function createApiKey(db: Database, actor: KeyActor, values: CreateApiKeyValues): Promise<CreatedApiKey> {
  // A key never does more than the person who made it (the gate narrows it again on every request).
  if (!hasPermission(actor.permissions, values.ability)) {
    throw new ValidationError("You cannot give a key more than you may do yourself.", { ability: ["Choose an ability you have"] });
  }
  const secret = generateApiKey();
  return db.$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: {
        organizationId: actor.organizationId,
        name: values.name,
        ability: values.ability,
        prefix: secret.prefix,
        secretHash: secret.hash,
        createdById: actor.userId,
        createdByEmail: actor.email,
        expiresAt: values.expiresOn,
      },
      select: apiKeyViewSelect,
    });
    const key = apiKeyView(row);
    await recordAudit(tx, actor, { action: "api_key.create", entityType: "api_key", entityId: key.id, entityLabel: `${key.name} (${key.prefix})`, after: snapshot(key) });
    return { key, secret: secret.key };
  });
}

/** Refused at once: the next request with the key is checked against this row. */
export async function revokeApiKey(db: Database, actor: KeyActor, id: string): Promise<ApiKeyView> {
  return db.$transaction(async (tx) => {
    const now = new Date();
    const revoked = await tx.apiKey.updateMany({
      where: { id, organizationId: actor.organizationId, revokedAt: null },
      data: { revokedAt: now, revokedByEmail: actor.email, version: { increment: 1 } },
    });
    const row = await tx.apiKey.findFirst({ where: { id, organizationId: actor.organizationId }, select: apiKeyViewSelect });
    if (!row) throw new NotFoundError("This key does not exist any more.");
    const key = apiKeyView(row, now);
    if (revoked.count === 1) {
      await recordAudit(tx, actor, { action: "api_key.revoke", entityType: "api_key", entityId: key.id, entityLabel: `${key.name} (${key.prefix})`, before: snapshot(key) });
    }
    return key;
  });
}

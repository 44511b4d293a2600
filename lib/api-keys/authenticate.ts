import "server-only";

import type { Actor } from "@/lib/auth/gate";
import { hasPermission, REQUIRED_PERMISSION, type Permission } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";

import { hashMatches, parseApiKey } from "./secret";
import type { ApiKeyAbility } from "./types";

/**
 * Turns `Authorization: Bearer <key>` into the same Actor a signed-in session gives the gate
 * (lib/auth/gate.ts): the organisation and its licences read fresh, and permissions that are the
 * key creator's current ones narrowed to the key's ability. Every access decision then goes
 * through decideAccess, exactly as for the console's own pages.
 */

export interface ApiKeyActor extends Actor {
  apiKeyId: string;
  apiKeyPrefix: string;
}

export type KeyRefusal = "missing" | "malformed" | "unknown" | "revoked" | "expired";

export type KeyAuthentication = { ok: true; actor: ApiKeyActor } | { ok: false; reason: KeyRefusal };

/** Writing last_used_at on every request would cost a row update each; once a minute is enough to read. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What the audit log names as the actor of a change made with a key. */
export function apiKeyActorLabel(key: { name: string; prefix: string }): string {
  return `API key ${key.name} (${key.prefix})`.slice(0, 254);
}

export function bearerToken(authorization: string | null): string | null {
  if (!authorization) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return match ? match[1]! : "";
}

function narrowed(permissions: readonly string[], ability: ApiKeyAbility): Permission[] {
  if (ability === "manage" && hasPermission(permissions, "manage")) return [REQUIRED_PERMISSION.manage, REQUIRED_PERMISSION.view];
  return hasPermission(permissions, "view") ? [REQUIRED_PERMISSION.view] : [];
}

export async function authenticateApiKey(db: Database, authorization: string | null, now = new Date()): Promise<KeyAuthentication> {
  const token = bearerToken(authorization);
  if (token === null) return { ok: false, reason: "missing" };
  const parsed = parseApiKey(token);
  if (!parsed) return { ok: false, reason: "malformed" };
  const key = await db.apiKey.findUnique({
    where: { prefix: parsed.prefix },
    include: { organization: true, createdBy: { select: { permissions: true } } },
  });
  if (!key || !hashMatches(token, key.secretHash)) return { ok: false, reason: "unknown" };
  if (key.revokedAt) return { ok: false, reason: "revoked" };
  if (key.expiresAt && key.expiresAt <= now) return { ok: false, reason: "expired" };
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.apiKey.updateMany({ where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] }, data: { lastUsedAt: now } });
  }
  return {
    ok: true,
    actor: {
      sessionId: `api-key:${key.id}`,
      // Audit entries keep the person who made the key as actor id; their text names the key.
      userId: key.createdById,
      email: apiKeyActorLabel(key),
      name: key.name,
      organizationId: key.organizationId,
      organizationName: key.organization.name,
      organizationSlug: key.organization.slug,
      licences: key.organization.licences,
      permissions: narrowed(key.createdBy.permissions, key.ability as ApiKeyAbility),
      apiKeyId: key.id,
      apiKeyPrefix: key.prefix,
    },
  };
}

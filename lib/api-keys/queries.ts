import "server-only";

import { getDb, type DbClient } from "@/lib/db/client";

import { apiKeyStatus, type ApiKeyAbility, type ApiKeyView } from "./types";

/** The organisation's API keys for the Settings page: active ones first, newest first. */

const viewSelect = {
  id: true,
  name: true,
  ability: true,
  prefix: true,
  createdAt: true,
  createdByEmail: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  revokedByEmail: true,
} as const;

type ViewRow = {
  id: string;
  name: string;
  ability: string;
  prefix: string;
  createdAt: Date;
  createdByEmail: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedByEmail: string | null;
};

export function apiKeyView(row: ViewRow, now = new Date()): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    ability: row.ability as ApiKeyAbility,
    prefix: row.prefix,
    status: apiKeyStatus(row, now),
    createdAt: row.createdAt.toISOString(),
    createdByEmail: row.createdByEmail,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revokedByEmail: row.revokedByEmail,
  };
}

export const apiKeyViewSelect = viewSelect;

/** The API keys page: the organisation's keys, active first. */
export function readApiKeysPage(organizationId: string, db: DbClient = getDb()): Promise<ApiKeyView[]> {
  return listApiKeys(db, organizationId);
}

export async function listApiKeys(db: DbClient, organizationId: string, now = new Date()): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { organizationId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: viewSelect });
  const views = rows.map((row) => apiKeyView(row, now));
  const rank = { active: 0, expired: 1, revoked: 2 } as const;
  return views.sort((a, b) => rank[a.status] - rank[b.status]);
}

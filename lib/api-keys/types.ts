/**
 * API keys as the Settings page and the key's own API show them. Client-safe: types and pure
 * functions only (never the secret's hash).
 */

export const API_KEY_ABILITIES = ["view", "manage"] as const;
export type ApiKeyAbility = (typeof API_KEY_ABILITIES)[number];

export const API_KEY_ABILITY_LABELS: Record<ApiKeyAbility, string> = {
  view: "View (read only)",
  manage: "Manage (read and change)",
};

export type ApiKeyStatus = "active" | "expired" | "revoked";

export interface ApiKeyView {
  id: string;
  name: string;
  ability: ApiKeyAbility;
  /** The key's public start, e.g. `erc_k3j9x2m4q8w1`; the secret part is never shown again. */
  prefix: string;
  status: ApiKeyStatus;
  createdAt: string;
  createdByEmail: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedByEmail: string | null;
}

/** What a create returns, once: the whole key (prefix and secret) is never readable again. */
export interface CreatedApiKey {
  key: ApiKeyView;
  secret: string;
}

export function apiKeyStatus(key: { revokedAt: string | Date | null; expiresAt: string | Date | null }, now = new Date()): ApiKeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return "expired";
  return "active";
}

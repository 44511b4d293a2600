import "server-only";

import { createHmac, randomBytes } from "node:crypto";

/**
 * Tokens of records share links (app/share/[token]). The token is 32 random bytes (base64url, 43
 * characters) handed out once; the database keeps only an HMAC-SHA256 of it under a key derived
 * from SECRETS_KEY. A leaked database therefore opens no link, and without SECRETS_KEY no token
 * can be matched to a row: the link is as good as signed by the console.
 */

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function linkKey(secretsKey: string): Buffer {
  return createHmac("sha256", Buffer.from(secretsKey, "base64")).update("record-share-links/v1").digest();
}

export function hashShareToken(token: string, secretsKey: string): string {
  return createHmac("sha256", linkKey(secretsKey)).update(token, "utf8").digest("hex");
}

export function generateShareToken(secretsKey: string): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashShareToken(token, secretsKey) };
}

/** Anything that is not the shape of a token is refused before the database is asked. */
export function isShareToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

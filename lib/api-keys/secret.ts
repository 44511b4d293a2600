import "server-only";

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The key's text: `erc_<prefix>_<secret>`. The prefix (12 characters) is public — lists show it and
 * requests are matched to their row by it; the secret is 32 random bytes.
 *
 * Only SHA-256 of the whole key is stored. Passwords need a slow hash (argon2, lib/auth/password.ts)
 * because people choose guessable ones; a 256-bit random secret cannot be guessed, so a fast hash
 * loses nothing, and checking a key on every API request stays cheap.
 */

const KEY_PATTERN = /^erc_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export interface NewKeySecret {
  prefix: string;
  key: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): NewKeySecret {
  const bytes = randomBytes(12);
  const id = Array.from(bytes, (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join("");
  const prefix = `erc_${id}`;
  const key = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { prefix, key, hash: hashApiKey(key) };
}

/** The prefix of a well-formed key, or null for anything else. */
export function parseApiKey(key: string): { prefix: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { prefix: `erc_${match[1]}` } : null;
}

export function hashMatches(key: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKey(key), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

import "server-only";

import { createSecretKey, hkdf, type KeyObject } from "node:crypto";

import { jwtDecrypt, type JWTPayload } from "jose";

/**
 * Reads the session cookie exactly as next-auth 4's `decode` does (a JWE, `dir` + A256GCM, with a
 * key derived from NEXTAUTH_SECRET by HKDF-SHA256, 15 s of clock tolerance), but derives that key
 * once per secret instead of once per request. The key is a pure function of the secret: keeping
 * it changes nothing about which cookies are accepted, and nothing about the session row behind
 * the cookie, which the gate still reads on every request.
 */
let derived: { secret: string; key: Promise<KeyObject> } | undefined;

function encryptionKey(secret: string): Promise<KeyObject> {
  if (derived?.secret !== secret) {
    // The same derivation as next-auth's getDerivedEncryptionKey with its default, empty salt.
    const key = new Promise<KeyObject>((resolve, reject) =>
      hkdf("sha256", secret, "", "NextAuth.js Generated Encryption Key", 32, (error, bytes) =>
        error ? reject(error) : resolve(createSecretKey(Buffer.from(bytes))),
      ),
    );
    derived = { secret, key };
  }
  return derived.key;
}

/** The cookie's claims, or null when it is not a token this secret made or it has expired. */
export async function decodeSessionToken(token: string, secret: string): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtDecrypt(token, await encryptionKey(secret), { clockTolerance: 15 });
    return payload;
  } catch {
    return null;
  }
}

import "server-only";

import { dkimSign } from "mailauth";

/** A key to sign with: d= and s= of the signature, and the private key (PEM). */
export interface DkimSigningKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/**
 * The DKIM-Signature header (with its CRLF) that mailauth makes for `message`, relaxed/relaxed, the
 * algorithm following the key's type; or the reason mailauth could not sign. Used by the DKIM
 * self-test (a domain's own key) and by traced test messages (the platform's key).
 */
export async function dkimSignatureFor(
  message: string | Buffer,
  key: DkimSigningKey,
  options: { signTime?: Date; expires?: Date } = {},
): Promise<{ ok: true; header: string } | { ok: false; error: unknown }> {
  const signature = { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey, canonicalization: "relaxed/relaxed" };
  try {
    // mailauth 4.13 signs what `signatureData` lists (its typings also show the fields at the top level, which it ignores).
    const signed = await dkimSign(message, { ...signature, signatureData: [signature], ...options });
    if (signed.errors.length > 0) return { ok: false, error: signed.errors[0] };
    if (!signed.signatures.trim()) return { ok: false, error: new Error("mailauth made no signature") };
    return { ok: true, header: signed.signatures };
  } catch (error) {
    return { ok: false, error };
  }
}

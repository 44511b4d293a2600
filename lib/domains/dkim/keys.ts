import "server-only";

import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

import { open, seal } from "@/lib/crypto/sealed-box";

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A DKIM key pair for a domain: 2048-bit RSA (what receivers expect; 1024 is deprecated). The public
 * key goes into the `p=` tag; the private key is sealed with SECRETS_KEY and never leaves the server.
 */
export async function generateDkimKey(secretsKey: string): Promise<{ publicKey: string; privateKeySealed: string }> {
  const { publicKey, privateKey } = await generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKey: publicKey.toString("base64"), privateKeySealed: seal(privateKey, secretsKey) };
}

/** The TXT record a key is published as. */
export function dkimRecordName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

export function dkimRecordValue(publicKey: string): string {
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

/**
 * The private key in PEM, for signing on this server only; null when it cannot be opened (erased
 * when retired, or sealed with another SECRETS_KEY). Never put what this returns in a result, a log
 * or a page.
 */
export function openPrivateKey(sealed: string | null, secretsKey: string | undefined): string | null {
  if (!sealed || !secretsKey) return null;
  try {
    return open(sealed, secretsKey);
  } catch {
    return null;
  }
}

const MAX_LABEL = 63;

/**
 * The selector of a domain's next key: `<DKIM_SELECTOR>-<yyyymm>` (when the key was made, which
 * helps an admin looking at their DNS zone), with `-2`, `-3`… when the domain already had a key
 * made that month. Selectors are never reused on a domain: a resolver that cached the old key under
 * a name must never answer with it for a new one.
 */
export function nextSelector(base: string, now: Date, taken: readonly string[]): string {
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
  const used = new Set(taken.map((selector) => selector.toLowerCase()));
  for (let attempt = 1; ; attempt += 1) {
    const suffix = attempt === 1 ? `-${month}` : `-${month}-${attempt}`;
    const stem = base.slice(0, MAX_LABEL - suffix.length).replace(/-+$/, "");
    const candidate = `${stem}${suffix}`;
    if (!used.has(candidate)) return candidate;
  }
}

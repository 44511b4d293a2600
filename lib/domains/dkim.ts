import "server-only";

import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

import { seal } from "@/lib/crypto/sealed-box";

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

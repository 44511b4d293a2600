import "server-only";

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import selfsigned from "selfsigned";

/**
 * The STARTTLS certificate: INBOUND_TLS_CERT / INBOUND_TLS_KEY when configured (production), else a
 * self-signed pair generated once into the data directory, so a local install offers STARTTLS out
 * of the box (senders that deliver opportunistically accept any certificate). Generated with the
 * `selfsigned` package: Node has no X.509 writer and the openssl CLI is not on every machine.
 */
export interface TlsFiles {
  key: string;
  cert: string;
  /** Where they came from, for the start-up log. */
  source: "configured" | "generated" | "reused";
}

export async function loadTlsFiles(options: { certPath?: string; keyPath?: string; dataDir: string; hostname: string }): Promise<TlsFiles> {
  if (options.certPath && options.keyPath) {
    const [cert, key] = await Promise.all([readFile(options.certPath, "utf8"), readFile(options.keyPath, "utf8")]);
    return { cert, key, source: "configured" };
  }
  const dir = path.join(options.dataDir, "tls");
  const certPath = path.join(dir, "inbound-cert.pem");
  const keyPath = path.join(dir, "inbound-key.pem");
  try {
    const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return { cert, key, source: "reused" };
  } catch {
    // Not generated yet.
  }
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 5 * 365 * 86_400_000);
  const pems = await selfsigned.generate([{ name: "commonName", value: options.hostname }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: options.hostname }, { type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, source: "generated" };
}

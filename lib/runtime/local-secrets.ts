import "server-only";

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Secrets for a local install, generated on first start and kept in the data directory (which git
 * ignores), so sessions and encrypted data survive restarts. Production supplies its own.
 */
export async function readOrCreateSecret(dataDir: string, name: string, bytes = 32): Promise<string> {
  const file = path.join(dataDir, "secrets", name);
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

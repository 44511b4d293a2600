import { existsSync } from "node:fs";

/**
 * Browser tests drive Debian's Chromium (never a downloaded browser). In CI a missing Chromium is
 * an error; on a developer's machine the browser tests are skipped with instructions.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // Without these Chromium keeps trying to reach Google's services, which a closed network refuses.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export const MISSING_CHROMIUM_MESSAGE =
  `\n${"!".repeat(78)}\n` +
  `  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n` +
  `  Install Debian's Chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH.\n` +
  `  In CI (CI=true) this is an error, not a skip.\n` +
  `${"!".repeat(78)}\n`;

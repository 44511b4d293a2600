import { existsSync } from "node:fs";

/**
 * Browser tests drive Debian's Chromium (never a downloaded browser), preferably its headless
 * build, `chromium-headless-shell` (the binary Playwright itself uses for headless runs): on this
 * machine a page in a fresh browser profile costs about a quarter of the CPU the full browser
 * spends on it (1.2 against 4.0 CPU-seconds for a console page, 0.25 against 1.3 for a blank
 * one), and the browser suite is bound by CPU. The full browser is used when only it is
 * installed; CHROMIUM_PATH picks another. In CI a missing Chromium is an error; on a developer's
 * machine the browser tests are skipped with instructions.
 */
const DEBIAN_CHROMIUMS = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEBIAN_CHROMIUMS.find((candidate) => existsSync(candidate)) ?? DEBIAN_CHROMIUMS[0]!;

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
  `  Install Debian's headless Chromium (sudo apt-get install -y chromium-headless-shell) or set CHROMIUM_PATH.\n` +
  `  In CI (CI=true) this is an error, not a skip.\n` +
  `${"!".repeat(78)}\n`;

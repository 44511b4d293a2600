import "server-only";

import { getConfig } from "@/lib/config/env";

import { dnsOptionsFrom } from "./dns-options";
import type { DomainDependencies } from "./domains";
import { platformSettings } from "./settings";

/** What domain functions need from configuration, resolved once per call site. */
export function domainDependencies(): DomainDependencies {
  const config = getConfig();
  if (!config.SECRETS_KEY) {
    throw new Error("SECRETS_KEY is not set: DKIM keys cannot be stored. Start the console with `npm start`, or set SECRETS_KEY.");
  }
  return { settings: platformSettings(config), secretsKey: config.SECRETS_KEY };
}

export function verificationOptions() {
  return dnsOptionsFrom(getConfig());
}

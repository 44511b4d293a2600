import "server-only";

import type { VerifyOptions } from "@/lib/dns";
import { dnsOptionsFrom, type DnsConfig } from "@/lib/domains/dns-options";

import type { SelfTestSettings } from "./self-test";

/** What the DKIM commands need from configuration. */
export interface DkimSettings {
  /** DKIM_SELECTOR: the first key's selector, and the stem of later ones. */
  baseSelector: string;
  /** DKIM_RETIRING_PERIOD: how long a replaced key stays published. */
  retiringPeriodMs: number;
  /** Opens the sealed private keys (SECRETS_KEY). */
  secretsKey: string | undefined;
  /** The configured resolvers and timeouts, as the self-test asks them. */
  selfTest: Omit<SelfTestSettings, "now">;
  /** The DNS engine's options: the self-test looks at the key records afresh before it judges them. */
  dns: VerifyOptions;
}

/** The configuration entries the DKIM commands read (lib/config/env.ts's AppConfig has them). */
export interface DkimConfig extends DnsConfig {
  DKIM_SELECTOR: string;
  DKIM_RETIRING_PERIOD: number;
  SECRETS_KEY?: string | undefined;
}

export async function dkimSettingsFrom(config: DkimConfig): Promise<DkimSettings> {
  const dns = await dnsOptionsFrom(config);
  return {
    baseSelector: config.DKIM_SELECTOR,
    retiringPeriodMs: config.DKIM_RETIRING_PERIOD,
    secretsKey: config.SECRETS_KEY,
    selfTest: { resolvers: dns.resolvers, timeoutMs: config.DNS_TIMEOUT_MS, deadlineMs: config.DNS_DEADLINE_MS },
    dns,
  };
}

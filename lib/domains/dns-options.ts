import "server-only";

import { readSystemResolvers, type VerifyOptions } from "@/lib/dns";

/** The configuration entries the DNS engine's options come from (lib/config/env.ts's AppConfig has them). */
export interface DnsConfig {
  DNS_RESOLVERS?: VerifyOptions["resolvers"] | undefined;
  DNS_TIMEOUT_MS: number;
  DNS_DEADLINE_MS: number;
  DNS_ALLOW_PRIVATE_NAMESERVERS: boolean;
  DNS_TEST_AUTHORITATIVE_PORT?: number | undefined;
}

/**
 * The DNS engine's options from configuration: DNS_RESOLVERS (else the system's resolvers), the
 * timeouts, and DNS_ALLOW_PRIVATE_NAMESERVERS (the engine itself reads no configuration).
 */
export async function dnsOptionsFrom(config: DnsConfig): Promise<VerifyOptions> {
  const resolvers = config.DNS_RESOLVERS ?? (await readSystemResolvers().catch(() => []));
  return {
    resolvers,
    timeoutMs: config.DNS_TIMEOUT_MS,
    deadlineMs: config.DNS_DEADLINE_MS,
    allowPrivateNameservers: config.DNS_ALLOW_PRIVATE_NAMESERVERS,
    ...(config.DNS_TEST_AUTHORITATIVE_PORT ? { authoritativePort: config.DNS_TEST_AUTHORITATIVE_PORT } : {}),
  };
}

import "server-only";

import type { AppConfig } from "@/lib/config/env";
import { readSystemResolvers, type VerifyOptions } from "@/lib/dns";

/** The DNS engine's options from configuration: DNS_RESOLVERS, else the system's resolvers. */
export async function dnsOptionsFrom(config: AppConfig): Promise<VerifyOptions> {
  const resolvers = config.DNS_RESOLVERS ?? (await readSystemResolvers().catch(() => []));
  return {
    resolvers,
    timeoutMs: config.DNS_TIMEOUT_MS,
    deadlineMs: config.DNS_DEADLINE_MS,
    ...(config.DNS_TEST_AUTHORITATIVE_PORT ? { authoritativePort: config.DNS_TEST_AUTHORITATIVE_PORT } : {}),
  };
}

import "server-only";

import { promises as dns } from "node:dns";

import type { AppConfig } from "@/lib/config/env";
import { isErrorOutcome, lookup, type LookupOutcome, type ServerAddress } from "@/lib/dns";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name, or a thrown Error with a message an admin can act on. */
export type HostResolver = (hostname: string, timeoutMs: number) => Promise<ResolvedAddress[]>;

/**
 * With DNS_RESOLVERS set, webhook hosts are resolved by the same resolvers as everything else the
 * console looks up (and tests never touch the machine's resolver); otherwise by the operating
 * system (getaddrinfo: /etc/hosts, then the system's resolvers).
 */
export function hostResolverFrom(config: AppConfig): HostResolver {
  const resolvers = config.DNS_RESOLVERS;
  return resolvers && resolvers.length > 0 ? wireResolver(resolvers) : systemResolver;
}

const systemResolver: HostResolver = async (hostname, timeoutMs) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Looking up ${hostname} took longer than ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    const results = await Promise.race([dns.lookup(hostname, { all: true, verbatim: true }), timeout]);
    return results.map((result) => ({ address: result.address, family: result.family === 6 ? 6 : 4 }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") throw new Error(`${hostname} does not exist in DNS.`);
    throw error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
};

function wireResolver(resolvers: ServerAddress[]): HostResolver {
  return async (hostname, timeoutMs) => {
    let lastError = `No resolver answered for ${hostname}.`;
    for (const server of resolvers) {
      const options = { timeoutMs, retries: 1, recursive: true };
      const [a, aaaa] = await Promise.all([lookup(server, hostname, "A", options), lookup(server, hostname, "AAAA", options)]);
      if (isErrorOutcome(a) && isErrorOutcome(aaaa)) {
        lastError = `Could not look up ${hostname}: ${describe(a)}.`;
        continue;
      }
      const addresses = [...addressesOf(a), ...addressesOf(aaaa)];
      if (addresses.length === 0) throw new Error(`${hostname} has no address in DNS.`);
      return addresses;
    }
    throw new Error(lastError);
  };
}

function addressesOf(outcome: LookupOutcome): ResolvedAddress[] {
  if (outcome.kind !== "answer") return [];
  return outcome.records.flatMap((record) =>
    record.type === "A" || record.type === "AAAA" ? [{ address: record.address, family: record.type === "A" ? 4 : 6 } as const] : [],
  );
}

function describe(outcome: LookupOutcome): string {
  return "message" in outcome ? outcome.message : outcome.kind;
}

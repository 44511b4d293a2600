import type { ExpectedRecord } from "@/lib/dns";
import { DEFAULT_RESERVED_PLATFORM_LABELS } from "@/lib/domains/hostname";
import { verificationOptions } from "@/lib/jobs/domain-checks";

import { loopbackDnsEnv, type DnsWorld, type FixtureRecord } from "./dns-server";

/** What an admin who followed the instructions exactly would publish at their DNS host. */
export function asPublished(records: readonly ExpectedRecord[]): FixtureRecord[] {
  return records.map((record): FixtureRecord =>
    record.kind === "mx"
      ? { name: record.name, type: "MX", data: { preference: record.preference, exchange: record.exchange } }
      : { name: record.name, type: "TXT", data: record.value },
  );
}

/** The zone the console's default-like test settings point at: our inbound hosts and SPF include. */
export const PLATFORM_TEST_ZONE = {
  origin: "platform.test",
  records: [
    { name: "inbound-1.platform.test", type: "A", data: "127.0.0.50" },
    { name: "inbound-2.platform.test", type: "A", data: "127.0.0.51" },
    { name: "_spf.platform.test", type: "TXT", data: "v=spf1 ip4:192.0.2.0/24 -all" },
  ] satisfies FixtureRecord[],
};

export const PLATFORM_TEST_ENV = {
  PLATFORM_DOMAIN: "routing.platform.test",
  INBOUND_MX_HOSTS: "inbound-1.platform.test:10,inbound-2.platform.test:10",
  SPF_INCLUDE: "_spf.platform.test",
  DKIM_SELECTOR: "erc1",
  DMARC_REPORT_ADDRESS: "dmarc@platform.test",
};

/** The platform's settings with a resolver nobody listens on: checks end in temporary failures without leaving loopback. */
export const UNANSWERED_DNS_ENV = { ...PLATFORM_TEST_ENV, DNS_RESOLVERS: "127.0.0.1:9", DNS_TIMEOUT_MS: "200", DNS_DEADLINE_MS: "1500" };

/**
 * The platform's settings pointing the console's DNS engine at a loopback world, with a timeout
 * generous for a busy 2-core machine (every answer comes from loopback).
 */
export function platformDnsEnv(world: Pick<DnsWorld, "resolvers" | "authoritativePort">, overrides: Record<string, string> = {}): Record<string, string> {
  return { ...PLATFORM_TEST_ENV, ...loopbackDnsEnv(world), DNS_TIMEOUT_MS: "1000", ...overrides };
}

/**
 * The console's own verification options, asking a loopback world, for tests that check domains
 * directly. Loopback answers in a millisecond, but a busy machine (two test files at once on two
 * cores) can hold a reply past a tight timeout, which would turn a check into a temporary failure.
 */
export async function loopbackVerificationOptions(
  world: Pick<DnsWorld, "resolvers" | "authoritativePort">,
  extra: Partial<Awaited<ReturnType<typeof verificationOptions>>> = {},
): Promise<Awaited<ReturnType<typeof verificationOptions>>> {
  return {
    ...(await verificationOptions()),
    resolvers: world.resolvers,
    authoritativePort: world.authoritativePort,
    allowPrivateNameservers: true,
    timeoutMs: 2_000,
    retries: 0,
    ...extra,
  };
}

/**
 * The platform's settings for tests that call domain functions directly: PLATFORM_TEST_ENV's, with
 * one inbound host, so a domain's records are one MX and the tests publish only that host.
 */
export const PLATFORM_TEST_SETTINGS = {
  platformDomain: "routing.platform.test",
  inboundHosts: [{ exchange: "inbound-1.platform.test", preference: 10 }],
  spfInclude: "_spf.platform.test",
  dkimSelector: "erc1",
  dmarcReportAddress: "dmarc@platform.test",
  maxDomainsPerOrganization: 100,
  reservedPlatformLabels: DEFAULT_RESERVED_PLATFORM_LABELS,
};

import "server-only";

import { readFile } from "node:fs/promises";

import type { AppConfig } from "@/lib/config/env";
import type { VerifyOptions } from "@/lib/dns";
import type { DkimSigningKey } from "@/lib/domains/dkim/sign";
import { dnsOptionsFrom } from "@/lib/domains/dns-options";
import { gatewayHostname } from "@/lib/mail/gateway";
import { log } from "@/lib/log";

import type { SmtpTimeouts } from "./smtp";

/** What traced test messages need from configuration (lib/config/env.ts). */
export interface TestMessageSettings {
  /** How long a trace waits for the message at our gateway after the recipient's MX took it. */
  timeoutMs: number;
  perHour: number;
  /** Loopback and private-network MX addresses may be contacted (on-premises servers, tests). */
  allowPrivateTargets: boolean;
  /** 25, or the tests' port (TEST_MESSAGE_SMTP_PORT). */
  smtpPort: number;
  /** Connecting, the greeting and each reply (TEST_MESSAGE_SMTP_TIMEOUT). */
  smtpTimeouts: SmtpTimeouts;
  /** The envelope sender and From are at this domain. */
  platformDomain: string;
  /** The name the console gives in EHLO and in the Message-ID: our gateway's, the host mail from us comes from. */
  heloName: string;
  /** Our inbound hosts: an MX naming one of them is ours. */
  inboundHosts: readonly string[];
}

/** What delivering a test message needs: its settings, the DNS engine's options for the MX lookup, and the signing key if any. */
export interface DeliveryDependencies {
  settings: TestMessageSettings;
  dns: Pick<VerifyOptions, "resolvers" | "timeoutMs" | "retries" | "deadlineMs" | "authoritativePort" | "allowPrivateNameservers">;
  /** The key test messages are DKIM-signed with (TEST_MESSAGE_DKIM_KEY), for PLATFORM_DOMAIN. */
  signer: DkimSigningKey | null;
}

export function testMessageSettings(config: AppConfig): TestMessageSettings {
  return {
    timeoutMs: config.TEST_MESSAGE_TIMEOUT,
    perHour: config.TEST_MESSAGES_PER_HOUR,
    allowPrivateTargets: config.TEST_MESSAGE_ALLOW_PRIVATE_TARGETS,
    smtpPort: config.TEST_MESSAGE_SMTP_PORT ?? 25,
    smtpTimeouts: { connectMs: config.TEST_MESSAGE_SMTP_TIMEOUT, greetingMs: config.TEST_MESSAGE_SMTP_TIMEOUT, socketMs: config.TEST_MESSAGE_SMTP_TIMEOUT },
    platformDomain: config.PLATFORM_DOMAIN,
    heloName: gatewayHostname(config),
    inboundHosts: config.INBOUND_MX_HOSTS.map((host) => host.exchange),
  };
}

/** What the sending job needs: these settings, the DNS engine's options (resolvers, policy, test port) and the signing key. */
export async function deliveryDependencies(config: AppConfig): Promise<DeliveryDependencies> {
  return { settings: testMessageSettings(config), dns: await dnsOptionsFrom(config), signer: await testMessageSigner(config) };
}

/** The configured key, read on each job (an operator may replace the file); unreadable, the message goes unsigned and the log says why. */
async function testMessageSigner(config: AppConfig): Promise<DkimSigningKey | null> {
  if (!config.TEST_MESSAGE_DKIM_KEY) return null;
  try {
    const privateKey = await readFile(config.TEST_MESSAGE_DKIM_KEY, "utf8");
    return { domain: config.PLATFORM_DOMAIN, selector: config.TEST_MESSAGE_DKIM_SELECTOR, privateKey };
  } catch (error) {
    log.error({ err: error, path: config.TEST_MESSAGE_DKIM_KEY }, "TEST_MESSAGE_DKIM_KEY could not be read: test messages go unsigned");
    return null;
  }
}

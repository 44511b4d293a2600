import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { Database } from "@/lib/db/client";

import { startDnsWorld, type DnsWorld } from "./dns-server";
import { PLATFORM_TEST_ENV } from "./dns-publish";
import { configWith } from "./jobs";
import { makeDomain, makeLanguage, makeQueue, makeRoute, makeSkill, seedRoutingOrganizations } from "./routing-fixtures";

/**
 * The world the inbound gateway tests send mail into: Acme with a verified custom domain, a
 * pending one, a "keep copies" one and a platform label; Initech with a domain of its own; and a
 * loopback DNS world where sender.test passes SPF from 127.0.0.1 and spoofed.test publishes a
 * DMARC reject policy that its messages fail.
 */
export const PLATFORM_DOMAIN = PLATFORM_TEST_ENV.PLATFORM_DOMAIN;

export async function seedInboundWorld(db: Database) {
  const { acme, initech } = await seedRoutingOrganizations(db);
  const help = await makeDomain(db, acme.id, "help.acme.test");
  const pending = await makeDomain(db, acme.id, "new.acme.test", { status: "pending" });
  const copies = await makeDomain(db, acme.id, "copies.acme.test", { scenario: "own_domain_with_copies" });
  const platform = await makeDomain(db, acme.id, `acme.${PLATFORM_DOMAIN}`, { scenario: "platform_domain_with_copies" });
  const initechDomain = await makeDomain(db, initech.id, "help.initech.test");
  const support = await makeQueue(db, acme.id, "Support");
  const spam = await makeQueue(db, acme.id, "Spam review");
  const sales = await makeQueue(db, acme.id, "Sales");
  const initechQueue = await makeQueue(db, initech.id, "Initech desk");
  const billing = await makeSkill(db, acme.id, "Billing");
  const english = await makeLanguage(db, acme.id, "English");
  const supportRoute = await makeRoute(db, acme.id, help, "support", support.id, { skillIds: [billing.id], priority: 3 });
  await db.route.update({ where: { id: supportRoute.id }, data: { spamQueueId: spam.id, languageId: english.id } });
  const salesRoute = await makeRoute(db, acme.id, help, "sales", sales.id);
  await makeRoute(db, acme.id, pending, "support", support.id);
  const copiesRoute = await makeRoute(db, acme.id, copies, "support", support.id);
  const platformRoute = await makeRoute(db, acme.id, platform, "support", support.id);
  const initechRoute = await makeRoute(db, initech.id, initechDomain, "desk", initechQueue.id);
  return {
    acme,
    initech,
    domains: { help, pending, copies, platform, initech: initechDomain },
    queues: { support, spam, sales, initech: initechQueue },
    routes: { support: supportRoute, sales: salesRoute, copies: copiesRoute, platform: platformRoute, initech: initechRoute },
    skills: { billing },
    languages: { english },
  };
}

export async function startSenderDns(): Promise<DnsWorld> {
  const world = await startDnsWorld({ zones: [{ origin: "sender.test" }, { origin: "spoofed.test" }] });
  world.publish(
    { name: "sender.test", type: "TXT", data: "v=spf1 ip4:127.0.0.0/8 -all" },
    { name: "_dmarc.sender.test", type: "TXT", data: "v=DMARC1; p=reject" },
    { name: "spoofed.test", type: "TXT", data: "v=spf1 ip4:192.0.2.1 -all" },
    { name: "_dmarc.spoofed.test", type: "TXT", data: "v=DMARC1; p=reject" },
  );
  return world;
}

/** The gateway's configuration for a test: our loopback DNS, generous limits unless overridden. */
export async function inboundConfig(world: DnsWorld, overrides: Record<string, string> = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "erc-inbound-"));
  const env = {
    ...PLATFORM_TEST_ENV,
    DNS_RESOLVERS: `127.0.0.1:${world.resolver.port}`,
    DNS_TIMEOUT_MS: "500",
    DATA_DIR: dataDir,
    INBOUND_RATE_CONNECTIONS_PER_MINUTE: "100000",
    INBOUND_RATE_MESSAGES_PER_MINUTE: "100000",
    INBOUND_REFUSALS_PER_MINUTE: "100000",
    INBOUND_REFUSALS_PER_CLIENT_PER_MINUTE: "100000",
    INBOUND_REFUSALS_PER_ORGANIZATION_PER_MINUTE: "100000",
    INBOUND_HOSTNAME: "inbound-1.platform.test",
    ...overrides,
  };
  return { config: configWith(env), env, dataDir };
}

/** Waits, if needed, so that what follows starts early in a minute: the rate windows are calendar minutes. */
export async function atStartOfAMinute(needSeconds = 20): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - needSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
}

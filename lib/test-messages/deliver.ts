import "server-only";

import { isIP } from "node:net";

import type { Database, Prisma } from "@/lib/db/client";
import { findMailExchangers, nameserverAddressRefusal, type MxLookup } from "@/lib/dns";
import { log } from "@/lib/log";

import { composeTestMessage, signWithPlatformKey } from "./message";
import type { DeliveryDependencies, TestMessageSettings } from "./settings";
import { deliverOnce } from "./smtp";
import type { MxExchangerRecord, MxRecord, SendFailure, SmtpAttempt, SmtpRecord } from "./types";

/**
 * The job that sends a test message (queue `test-message`): the console acting as a sending MTA.
 * It looks up the recipient domain's MX at its authoritative servers, keeps only the addresses the
 * outbound policy allows (no loopback, private or link-local targets unless
 * TEST_MESSAGE_ALLOW_PRIVATE_TARGETS; the classification is lib/dns/addresses.ts, as for
 * webhooks and nameservers), and delivers to the best MX, falling back to the next one only when a
 * server cannot be reached or defers. Each step is written to the row as it ends, so the trace page
 * shows it live. What happens after the recipient's MX said 250 is the gateway's to record.
 */
export type DeliveryOutcome = { outcome: "sent" } | { outcome: "failed"; failure: SendFailure } | { outcome: "skipped" };

/** A mail server that cannot be reached is worth another try elsewhere; one that answered 5xx is not. */
const MAX_ATTEMPTS = 4;

export async function deliverTestMessage(db: Database, id: string, deps: DeliveryDependencies): Promise<DeliveryOutcome> {
  // Claimed once: a job run twice (a retry, a duplicate) never sends the message twice.
  const claimed = await db.testMessage.updateMany({ where: { id, status: "queued" }, data: { status: "sending", startedAt: new Date() } });
  if (claimed.count === 0) return { outcome: "skipped" };
  const row = await db.testMessage.findUniqueOrThrow({ where: { id } });
  const fail = async (failure: SendFailure, detail: string, data: Prisma.TestMessageUpdateInput = {}): Promise<DeliveryOutcome> => {
    await db.testMessage.update({ where: { id }, data: { ...data, status: "failed", failure, failureDetail: detail.slice(0, 2000), finishedAt: new Date() } });
    return { outcome: "failed", failure };
  };
  try {
    const domain = row.targetAddress.slice(row.targetAddress.lastIndexOf("@") + 1);
    const lookup = await findMailExchangers(domain, deps.dns);
    const mx = mxRecord(lookup, deps.settings);
    await db.testMessage.update({ where: { id }, data: { mx: mx as unknown as Prisma.InputJsonValue } });
    if (lookup.kind === "no_mx") return fail("no_mx", lookup.nxdomain ? `${domain} does not exist in DNS` : `${domain} has no MX record`);
    if (lookup.kind === "null_mx") return fail("null_mx", `${domain} publishes a null MX (0 .): it accepts no mail`);
    if (lookup.kind === "error") return fail("dns_failed", lookup.message);

    const candidates = mx.exchangers.flatMap((exchanger) =>
      allowedAddresses(exchanger).map((address) => ({ exchange: exchanger.exchange, address, port: deps.settings.smtpPort })),
    );
    if (candidates.length === 0) {
      const refused = mx.exchangers.flatMap((exchanger) => exchanger.refused.map((entry) => `${exchanger.exchange}: ${entry.reason}`));
      if (refused.length > 0) return fail("mx_address_refused", refused.join("; "));
      return fail("mx_no_address", mx.exchangers.map((exchanger) => `${exchanger.exchange}: ${exchanger.error ?? "no address"}`).join("; "));
    }

    const route = await db.route.findFirst({
      where: { organizationId: row.organizationId, address: row.routeAddress },
      select: { queue: { select: { name: true } } },
    });
    const composed = await composeTestMessage({
      id,
      token: row.token,
      from: `test-messages@${deps.settings.platformDomain}`,
      to: row.targetAddress,
      routeAddress: row.routeAddress,
      viaRedirect: row.viaRedirect,
      queueName: route?.queue.name ?? "its",
      sentBy: row.createdByEmail,
      heloName: deps.settings.heloName,
      date: new Date(),
    });
    const raw = deps.signer ? await signWithPlatformKey(composed, deps.signer) : composed;
    const smtp: SmtpRecord = { attempts: [] };
    const triedExchanges = new Set<string>();
    for (const candidate of candidates) {
      if (smtp.attempts.length >= MAX_ATTEMPTS) break;
      // After a deferral, only another host is worth asking (its other addresses are the same server).
      const last = smtp.attempts.at(-1);
      if (last?.outcome === "deferred" && triedExchanges.has(candidate.exchange)) continue;
      triedExchanges.add(candidate.exchange);
      const attempt = await deliverOnce(
        candidate,
        { heloName: deps.settings.heloName, envelopeFrom: row.envelopeFrom, recipient: row.targetAddress, raw },
        deps.settings.smtpTimeouts,
      );
      smtp.attempts.push(attempt);
      await db.testMessage.update({ where: { id }, data: { smtp: smtp as unknown as Prisma.InputJsonValue } });
      if (attempt.outcome === "accepted") {
        await db.testMessage.update({ where: { id }, data: { status: "sent", sentAt: new Date(attempt.at), finishedAt: new Date() } });
        return { outcome: "sent" };
      }
      if (attempt.outcome === "refused") break;
    }
    const final = smtp.attempts.at(-1)!;
    return fail(failureOf(final), final.reply ?? final.error ?? "no answer");
  } catch (error) {
    log.error({ err: error, testMessageId: id }, "test message could not be sent");
    return fail("internal", "an unexpected error stopped the delivery; the console's log has the details");
  }
}

function failureOf(attempt: SmtpAttempt): SendFailure {
  switch (attempt.outcome) {
    case "refused":
      return "smtp_refused";
    case "deferred":
      return "smtp_deferred";
    case "connection_refused":
      return "connection_refused";
    case "timed_out":
      return "connection_timed_out";
    default:
      return "connection_failed";
  }
}

/** IPv4 first: every mail server has one, and IPv6 may not be routed from here. */
function allowedAddresses(exchanger: MxExchangerRecord): string[] {
  const refused = new Set(exchanger.refused.map((entry) => entry.address));
  const allowed = exchanger.addresses.filter((address) => !refused.has(address));
  return [...allowed.filter((address) => isIP(address) === 4), ...allowed.filter((address) => isIP(address) === 6)];
}

function mxRecord(lookup: MxLookup, settings: TestMessageSettings): MxRecord {
  const at = new Date().toISOString();
  if (lookup.kind !== "exchangers") {
    return {
      domain: lookup.domain,
      at,
      outcome: lookup.kind,
      answeredBy: "answeredBy" in lookup ? lookup.answeredBy : null,
      message: lookup.kind === "error" ? lookup.message : null,
      exchangers: [],
    };
  }
  const ours = new Set(settings.inboundHosts.map((host) => host.toLowerCase()));
  return {
    domain: lookup.domain,
    at,
    outcome: "exchangers",
    answeredBy: lookup.answeredBy,
    message: null,
    exchangers: lookup.exchangers.map((exchanger) => ({
      exchange: exchanger.exchange,
      preference: exchanger.preference,
      addresses: exchanger.addresses,
      // The same rule as nameservers learned from DNS: whoever controls a domain's DNS must not be
      // able to point our mail at our own network. Link-local and reserved addresses never pass.
      refused: exchanger.addresses.flatMap((address) => {
        const refusal = nameserverAddressRefusal(address, { allowPrivate: settings.allowPrivateTargets });
        return refusal ? [{ address, reason: refusal.reason }] : [];
      }),
      error: exchanger.error,
      ours: ours.has(exchanger.exchange),
    })),
  };
}

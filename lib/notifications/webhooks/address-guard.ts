/**
 * A webhook is a request our servers make to an address an admin typed, so it must not reach
 * anything inside our own network (SSRF): loopback, private ranges, link-local (cloud metadata
 * services live at 169.254.169.254), and other special-purpose blocks. Addresses are classified by
 * lib/dns/addresses.ts (shared with the DNS engine's nameserver policy); the sender resolves the
 * host, checks every address, and connects to a checked one.
 */
import { ADDRESS_CLASS_DESCRIPTIONS, classifyAddress } from "@/lib/dns/addresses";

export interface TargetPolicy {
  /** Require https (production). */
  requireHttps: boolean;
  /** WEBHOOK_ALLOW_LOOPBACK: local development and tests send to a receiver on this machine. */
  allowLoopback: boolean;
}

/** Why an address may not be contacted, or null if it may. */
export function refusalFor(address: string, policy: TargetPolicy): string | null {
  const kind = classifyAddress(address);
  if (kind === null) return `${address} is not an IP address.`;
  if (kind === "public" || (kind === "loopback" && policy.allowLoopback)) return null;
  return `Webhooks cannot be sent to ${ADDRESS_CLASS_DESCRIPTIONS[kind]} (${address}); use an address reachable on the internet.`;
}

function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

export type TargetCheck = { ok: true; url: URL; hostname: string } | { ok: false; reason: string };

/**
 * What can be decided from the URL alone (when saving, and again before every send): the scheme,
 * no credentials, and, for an IP literal or localhost, the address. Names are resolved at send time.
 */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: "Enter a full URL, such as https://hooks.example.com/email-routing." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "The URL must start with https://." };
  if (url.username || url.password) return { ok: false, reason: "Remove the user name and password from the URL: receivers authenticate our requests by their signature." };
  if (raw.trim().length > 2000) return { ok: false, reason: "The URL is longer than 2,000 characters." };
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (!hostname) return { ok: false, reason: "The URL has no host name." };
  const literal = classifyAddress(hostname);
  const loopbackTarget = literal === "loopback" || (literal === null && isLocalhostName(hostname));
  if (loopbackTarget && !policy.allowLoopback) {
    return { ok: false, reason: "Webhooks cannot be sent to this server itself (a loopback address); use an address reachable on the internet." };
  }
  if (literal !== null && literal !== "loopback") {
    const refusal = refusalFor(hostname, policy);
    if (refusal) return { ok: false, reason: refusal };
  }
  // Plain http is for a receiver on the developer's own machine only.
  if (policy.requireHttps && url.protocol !== "https:" && !(loopbackTarget && policy.allowLoopback)) {
    return { ok: false, reason: "The URL must use https:// so that events are encrypted in transit." };
  }
  return { ok: true, url, hostname };
}

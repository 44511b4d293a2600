import { domainNameToAscii, mapDomainText } from "@/lib/dns/idna";

/**
 * Rules for a domain an organisation registers (not for every DNS name: no underscores here), and
 * for the label under the platform domain. Both normalise through lib/dns/idna.ts (UTS #46), the
 * one place names are mapped. Pure and browser-safe: the wizard validates as the admin types, the
 * server action again.
 */

export type HostnameCheck =
  | { ok: true; ascii: string; unicode: string }
  | { ok: false; error: string };

export function checkHostname(input: string): HostnameCheck {
  const name = input.trim();
  if (name === "") return { ok: false, error: "Enter a domain, such as help.example.com" };
  const lower = name.toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(lower) || lower.includes("/")) {
    return { ok: false, error: "Enter only the domain, without http:// or a path" };
  }
  if (name.includes("@")) return { ok: false, error: "Enter only the domain: the part after the @" };
  if (/\s/.test(name)) return { ok: false, error: "A domain cannot contain spaces" };
  const result = domainNameToAscii(name, "hostname");
  if (!result.ok) return result;
  if (result.labels.length < 2) return { ok: false, error: "Enter a full domain with at least two parts, such as example.com" };
  if (/^\d+$/.test(result.labels[result.labels.length - 1]!)) return { ok: false, error: "That looks like an IP address; enter a domain name" };
  return { ok: true, ascii: result.ascii, unicode: result.unicode };
}

/** True when `name` is `parent` or below it (both ASCII, lower-case). */
export function isSameOrSubdomain(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}

/** Shortest label under the platform domain: one- and two-letter names are too easily confused or squatted. */
export const MIN_PLATFORM_LABEL_LENGTH = 3;

/**
 * Labels no organisation may take by default: mailbox and host names that receivers, certificate
 * authorities and people treat as the platform's own (RFC 2142 role names, `www`, `mail`…).
 * Operators replace the list with RESERVED_PLATFORM_LABELS.
 */
export const DEFAULT_RESERVED_PLATFORM_LABELS = [
  "abuse",
  "admin",
  "administrator",
  "api",
  "autoconfig",
  "autodiscover",
  "dmarc",
  "ftp",
  "help",
  "hostmaster",
  "imap",
  "info",
  "mail",
  "mailer-daemon",
  "no-reply",
  "noreply",
  "pop",
  "postmaster",
  "root",
  "security",
  "smtp",
  "spf",
  "support",
  "webmaster",
  "www",
] as const;

/**
 * The single DNS label under the platform domain (scenarios 3 and 4), normalised as every name is
 * (trimmed, UTS #46 mapped, lower case): `ACME-SEC`, ` acme-sec ` and fullwidth `ａｃｍｅ－ｓｅｃ` are
 * all `acme-sec`. Reserved labels are configuration, so they are checked with availability.
 */
export function checkPlatformLabel(input: string): { ok: true; label: string } | { ok: false; error: string } {
  if (input.trim() === "") return { ok: false, error: "Enter a name, such as your company name" };
  const mapped = mapDomainText(input);
  if (!mapped.ok) return mapped;
  let label = mapped.value;
  if (label.endsWith(".")) label = label.slice(0, -1);
  if (label.includes(".")) return { ok: false, error: "Use a single name without dots" };
  // Asked before the letters: mapping turns a typed "xn--abc" into what it encodes, which is not a–z.
  if (/^..--/.test(input.trim().toLowerCase()) || /^..--/.test(label)) {
    return { ok: false, error: "Cannot have two hyphens in the third and fourth position (reserved for punycode)" };
  }
  if (!/^[a-z0-9-]+$/.test(label)) return { ok: false, error: "Use only letters a–z, digits and hyphens" };
  if (label.length > 63) return { ok: false, error: "Use at most 63 characters" };
  if (label.length < MIN_PLATFORM_LABEL_LENGTH) return { ok: false, error: `Use at least ${MIN_PLATFORM_LABEL_LENGTH} characters` };
  if (label.startsWith("-") || label.endsWith("-")) return { ok: false, error: "Cannot start or end with a hyphen" };
  return { ok: true, label };
}

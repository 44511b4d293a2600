import { checkHostname } from "@/lib/domains/hostname";

/**
 * Email address syntax for routes. Pure and browser-safe: forms check as the admin types, the
 * server checks again. Local parts are RFC 5321 dot-atoms (no quoted strings: no mail system an
 * admin would route from produces them, and they cannot be typed into a redirect rule reliably).
 */

export const MAX_LOCAL_PART_LENGTH = 64;
/** RFC 5321 path limit (256 octets including the angle brackets). */
export const MAX_ADDRESS_LENGTH = 254;

// atext from RFC 5322 §3.2.3, which RFC 5321's Dot-string uses.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);

export type LocalPartCheck = { ok: true; localPart: string } | { ok: false; error: string };

export function checkLocalPart(input: string): LocalPartCheck {
  const localPart = input.trim();
  if (localPart === "") return { ok: false, error: "Enter the part before the @, such as support" };
  if (localPart.includes("@")) return { ok: false, error: "Enter only the part before the @; the domain is chosen separately" };
  if (localPart.length > MAX_LOCAL_PART_LENGTH) return { ok: false, error: `Use at most ${MAX_LOCAL_PART_LENGTH} characters before the @` };
  if (/\s/.test(localPart)) return { ok: false, error: "An address cannot contain spaces" };
  if (localPart.startsWith(".") || localPart.endsWith(".")) return { ok: false, error: "An address cannot start or end with a dot" };
  if (localPart.includes("..")) return { ok: false, error: "An address cannot have two dots in a row" };
  if (!DOT_ATOM.test(localPart)) {
    const bad = [...localPart].find((char) => !/[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/.test(char));
    return { ok: false, error: bad ? `"${bad}" is not allowed in an address (use letters, digits and . _ - +)` : "This is not a valid address" };
  }
  return { ok: true, localPart };
}

export type AddressCheck =
  | { ok: true; localPart: string; domain: string; unicodeDomain: string; address: string }
  | { ok: false; error: string };

/** A full address; the domain comes back in its ASCII (punycode) form, lower-cased. */
export function checkEmailAddress(input: string): AddressCheck {
  const value = input.trim();
  if (value === "") return { ok: false, error: "Enter an email address" };
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return { ok: false, error: `"${value}" is not an email address (expected name@domain)` };
  const local = checkLocalPart(value.slice(0, at));
  if (!local.ok) return { ok: false, error: `"${value}": ${lowerFirst(local.error)}` };
  const host = checkHostname(value.slice(at + 1));
  if (!host.ok) return { ok: false, error: `"${value}": ${lowerFirst(host.error)}` };
  const address = `${local.localPart}@${host.ascii}`;
  if (address.length > MAX_ADDRESS_LENGTH) return { ok: false, error: `"${value}" is longer than ${MAX_ADDRESS_LENGTH} characters` };
  return { ok: true, localPart: local.localPart, domain: host.ascii, unicodeDomain: host.unicode, address };
}

/** How addresses are compared and searched: the whole address lower-cased (domains are ASCII). */
export function addressKey(localPart: string, asciiDomain: string): string {
  return `${localPart}@${asciiDomain}`.toLowerCase();
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

import punycode from "punycode/punycode.js";

/**
 * Rules for a domain an organisation registers (not for every DNS name: no underscores here).
 * Pure and browser-safe: the wizard validates as the admin types, the server action again.
 */

export type HostnameCheck =
  | { ok: true; ascii: string; unicode: string }
  | { ok: false; error: string };

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkHostname(input: string): HostnameCheck {
  let name = input.trim().normalize("NFC").toLowerCase().replace(/[\u3002\uff0e\uff61]/g, ".");
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "") return { ok: false, error: "Enter a domain, such as help.example.com" };
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(name) || name.includes("/")) {
    return { ok: false, error: "Enter only the domain, without http:// or a path" };
  }
  if (name.includes("@")) return { ok: false, error: "Enter only the domain: the part after the @" };
  if (/\s/.test(name)) return { ok: false, error: "A domain cannot contain spaces" };
  const labels = name.split(".");
  if (labels.some((label) => label === "")) return { ok: false, error: "A domain cannot have empty parts (two dots in a row, or a leading dot)" };
  if (labels.length < 2) return { ok: false, error: "Enter a full domain with at least two parts, such as example.com" };
  const asciiLabels: string[] = [];
  for (const label of labels) {
    let ascii: string;
    try {
      ascii = /^[\x21-\x7e]*$/.test(label) ? label : `xn--${punycode.encode(label)}`;
    } catch {
      return { ok: false, error: `"${label}" cannot be written as a domain label` };
    }
    if (ascii.length > 63) return { ok: false, error: `"${label}" is longer than 63 characters (the limit for one part of a domain)` };
    if (!LDH_LABEL.test(ascii)) {
      return {
        ok: false,
        error: ascii.includes("_")
          ? `"${label}" contains an underscore, which host names cannot have`
          : `"${label}" may use only letters, digits and hyphens, and cannot start or end with a hyphen`,
      };
    }
    if (ascii.startsWith("xn--")) {
      try {
        punycode.decode(ascii.slice(4));
      } catch {
        return { ok: false, error: `"${label}" is not valid punycode` };
      }
    }
    asciiLabels.push(ascii);
  }
  const ascii = asciiLabels.join(".");
  if (ascii.length > 253) return { ok: false, error: "A domain can be at most 253 characters long" };
  const tld = asciiLabels[asciiLabels.length - 1]!;
  if (/^\d+$/.test(tld)) return { ok: false, error: "That looks like an IP address; enter a domain name" };
  return { ok: true, ascii, unicode: toUnicodeName(ascii) };
}

export function toUnicodeName(ascii: string): string {
  try {
    return punycode.toUnicode(ascii);
  } catch {
    return ascii;
  }
}

/** True when `name` is `parent` or below it (both ASCII, lower-case). */
export function isSameOrSubdomain(name: string, parent: string): boolean {
  return name === parent || name.endsWith(`.${parent}`);
}

/** The single DNS label under the platform domain (scenarios 3 and 4). */
export function checkPlatformLabel(input: string): { ok: true; label: string } | { ok: false; error: string } {
  const label = input.trim().toLowerCase();
  if (label === "") return { ok: false, error: "Enter a name, such as your company name" };
  if (label.length > 63) return { ok: false, error: "Use at most 63 characters" };
  if (label.includes(".")) return { ok: false, error: "Use a single name without dots" };
  if (!/^[a-z0-9-]+$/.test(label)) return { ok: false, error: "Use only letters a–z, digits and hyphens" };
  if (label.startsWith("-") || label.endsWith("-")) return { ok: false, error: "Cannot start or end with a hyphen" };
  if (/^..--/.test(label)) return { ok: false, error: "Cannot have two hyphens in the third and fourth position (reserved for punycode)" };
  return { ok: true, label };
}

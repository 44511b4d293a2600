import { isIP } from "node:net";

/**
 * A webhook is a request our servers make to an address an admin typed, so it must not reach
 * anything inside our own network (SSRF): loopback, private ranges, link-local (cloud metadata
 * services live at 169.254.169.254), and other special-purpose blocks. Addresses are classified
 * here; the sender resolves the host, checks every address, and connects to a checked one.
 */
export type AddressClass = "public" | "loopback" | "private" | "link-local" | "reserved";

type V4Range = [network: number, prefix: number, kind: Exclude<AddressClass, "public">];

const V4_RANGES: V4Range[] = [
  [ipv4("0.0.0.0"), 8, "reserved"], // "this network"
  [ipv4("10.0.0.0"), 8, "private"],
  [ipv4("100.64.0.0"), 10, "private"], // carrier-grade NAT
  [ipv4("127.0.0.0"), 8, "loopback"],
  [ipv4("169.254.0.0"), 16, "link-local"],
  [ipv4("172.16.0.0"), 12, "private"],
  [ipv4("192.0.0.0"), 24, "reserved"],
  [ipv4("192.0.2.0"), 24, "reserved"], // documentation
  [ipv4("192.88.99.0"), 24, "reserved"], // 6to4 relay
  [ipv4("192.168.0.0"), 16, "private"],
  [ipv4("198.18.0.0"), 15, "reserved"], // benchmarking
  [ipv4("198.51.100.0"), 24, "reserved"],
  [ipv4("203.0.113.0"), 24, "reserved"],
  [ipv4("224.0.0.0"), 4, "reserved"], // multicast
  [ipv4("240.0.0.0"), 4, "reserved"], // future use, broadcast
];

function ipv4(text: string): number {
  return text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

function classifyV4(value: number): AddressClass {
  for (const [network, prefix, kind] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (value >= network && value < network + size) return kind;
  }
  return "public";
}

/** Eight 16-bit groups, or null if not an IPv6 address. */
function ipv6Groups(text: string): number[] | null {
  let address = text.toLowerCase().split("%")[0] ?? "";
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    if (isIP(dotted[1]!) !== 4) return null;
    const v4 = ipv4(dotted[1]!);
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    address = `${address.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = address.split("::", 2) as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array<number>(Math.max(missing, 0)).fill(0), ...right];
  if (groups.length !== 8 || groups.some((group) => !Number.isInteger(group) || group < 0 || group > 0xffff)) return null;
  if (tail.length === 2) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}

function embeddedV4(high: number, low: number): number {
  return high * 65536 + low;
}

function classifyV6(groups: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  if (zeroUpTo(8)) return "reserved"; // ::
  if (zeroUpTo(7) && g7 === 1) return "loopback"; // ::1
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach
  // the embedded IPv4 address: judge that one.
  if (zeroUpTo(5) && g5 === 0xffff) return classifyV4(embeddedV4(g6, g7));
  if (zeroUpTo(6)) return classifyV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private"; // local-use NAT64
  if (g0 === 0x2002) return classifyV4(embeddedV4(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) return "reserved"; // Teredo tunnels to arbitrary IPv4
  if (g0 === 0x2001 && g1 === 0xdb8) return "reserved"; // documentation
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved"; // discard
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // unique local
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return "reserved"; // multicast
  return "public";
}

/** null when `address` is not an IP address. */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare.split("%")[0] ?? "");
  if (family === 4) return classifyV4(ipv4(bare));
  if (family === 6) {
    const groups = ipv6Groups(bare);
    return groups ? classifyV6(groups) : null;
  }
  return null;
}

export interface TargetPolicy {
  /** Require https (production). */
  requireHttps: boolean;
  /** WEBHOOK_ALLOW_LOOPBACK: local development and tests send to a receiver on this machine. */
  allowLoopback: boolean;
}

const CLASS_DESCRIPTIONS: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "a loopback address (this server itself)",
  private: "a private network address",
  "link-local": "a link-local address",
  reserved: "a reserved or special-purpose address",
};

/** Why an address may not be contacted, or null if it may. */
export function refusalFor(address: string, policy: TargetPolicy): string | null {
  const kind = classifyAddress(address);
  if (kind === null) return `${address} is not an IP address.`;
  if (kind === "public" || (kind === "loopback" && policy.allowLoopback)) return null;
  return `Webhooks cannot be sent to ${CLASS_DESCRIPTIONS[kind]} (${address}); use an address reachable on the internet.`;
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

import { isIP } from "node:net";

/**
 * What kind of network an IP address belongs to. Two parts of the console contact addresses that
 * someone outside our network chose, and must not be steered inward with them: webhooks (a URL an
 * admin typed) and this engine (nameserver addresses a domain's DNS publishes). Both classify with
 * this one table; each applies its own policy (lib/notifications/webhooks/address-guard.ts, `nameserverAddressRefusal`).
 *
 * - `loopback`: this machine (127.0.0.0/8, ::1).
 * - `private`: networks behind our edge: RFC 1918, carrier-grade NAT (100.64.0.0/10), unique-local
 *   IPv6 (fc00::/7), deprecated site-local (fec0::/10), local-use NAT64.
 * - `link-local`: 169.254.0.0/16 (cloud metadata services live at 169.254.169.254), fe80::/10.
 * - `reserved`: everything that is not a unicast host on the internet: unspecified (0.0.0.0/8, ::),
 *   multicast, broadcast and future use, documentation and benchmarking ranges, Teredo, discard.
 * IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 addresses are judged by the IPv4
 * address they reach.
 */
export type AddressClass = "public" | "loopback" | "private" | "link-local" | "reserved";

export interface AddressInfo {
  addressClass: AddressClass;
  /** The block it falls in, e.g. `10.0.0.0/8 (RFC 1918 private network)`; null for public addresses. */
  block: string | null;
}

type V4Range = [network: number, prefix: number, kind: Exclude<AddressClass, "public">, name: string];

const V4_RANGES: V4Range[] = [
  [ipv4("0.0.0.0"), 8, "reserved", "unspecified / this network"],
  [ipv4("10.0.0.0"), 8, "private", "RFC 1918 private network"],
  [ipv4("100.64.0.0"), 10, "private", "carrier-grade NAT"],
  [ipv4("127.0.0.0"), 8, "loopback", "loopback"],
  [ipv4("169.254.0.0"), 16, "link-local", "link-local"],
  [ipv4("172.16.0.0"), 12, "private", "RFC 1918 private network"],
  [ipv4("192.0.0.0"), 24, "reserved", "IETF protocol assignments"],
  [ipv4("192.0.2.0"), 24, "reserved", "documentation"],
  [ipv4("192.88.99.0"), 24, "reserved", "6to4 relay anycast"],
  [ipv4("192.168.0.0"), 16, "private", "RFC 1918 private network"],
  [ipv4("198.18.0.0"), 15, "reserved", "benchmarking"],
  [ipv4("198.51.100.0"), 24, "reserved", "documentation"],
  [ipv4("203.0.113.0"), 24, "reserved", "documentation"],
  [ipv4("224.0.0.0"), 4, "reserved", "multicast"],
  [ipv4("240.0.0.0"), 4, "reserved", "future use and broadcast"],
];

function ipv4(text: string): number {
  return text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
}

function formatV4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function infoV4(value: number): AddressInfo {
  for (const [network, prefix, kind, name] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (value >= network && value < network + size) return { addressClass: kind, block: `${formatV4(network)}/${prefix} (${name})` };
  }
  return { addressClass: "public", block: null };
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

function infoV6(groups: number[]): AddressInfo {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUpTo = (count: number) => groups.slice(0, count).every((group) => group === 0);
  const v6 = (addressClass: Exclude<AddressClass, "public">, block: string): AddressInfo => ({ addressClass, block });
  if (zeroUpTo(8)) return v6("reserved", ":: (unspecified)");
  if (zeroUpTo(7) && g7 === 1) return v6("loopback", "::1 (loopback)");
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach
  // the embedded IPv4 address: judge that one.
  if (zeroUpTo(5) && g5 === 0xffff) return infoV4(embeddedV4(g6, g7));
  if (zeroUpTo(6)) return infoV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return infoV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return v6("private", "64:ff9b:1::/48 (local-use NAT64)");
  if (g0 === 0x2002) return infoV4(embeddedV4(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) return v6("reserved", "2001::/32 (Teredo tunnels to arbitrary IPv4)");
  if (g0 === 0x2001 && g1 === 0xdb8) return v6("reserved", "2001:db8::/32 (documentation)");
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return v6("reserved", "100::/64 (discard)");
  if ((g0 & 0xfe00) === 0xfc00) return v6("private", "fc00::/7 (unique local)");
  if ((g0 & 0xffc0) === 0xfe80) return v6("link-local", "fe80::/10 (link-local)");
  if ((g0 & 0xffc0) === 0xfec0) return v6("private", "fec0::/10 (site-local, deprecated)");
  if ((g0 & 0xff00) === 0xff00) return v6("reserved", "ff00::/8 (multicast)");
  return { addressClass: "public", block: null };
}

/** The class of `address` and the block it falls in; null when it is not an IP address. */
export function describeAddress(address: string): AddressInfo | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare.split("%")[0] ?? "");
  if (family === 4) return infoV4(ipv4(bare));
  if (family === 6) {
    const groups = ipv6Groups(bare);
    return groups ? infoV6(groups) : null;
  }
  return null;
}

/** null when `address` is not an IP address. */
export function classifyAddress(address: string): AddressClass | null {
  return describeAddress(address)?.addressClass ?? null;
}

export const ADDRESS_CLASS_DESCRIPTIONS: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "a loopback address (this server itself)",
  private: "a private network address",
  "link-local": "a link-local address",
  reserved: "a reserved or special-purpose address",
};

export interface NameserverAddressPolicy {
  /**
   * Also query loopback and private-network nameservers (on-premises DNS, tests). Link-local and
   * reserved addresses (unspecified, multicast, documentation…) are never queried.
   */
  allowPrivate: boolean;
}

export interface AddressRefusal {
  address: string;
  addressClass: Exclude<AddressClass, "public"> | "invalid";
  /** `127.0.0.2 is a loopback address`. */
  reason: string;
}

/**
 * Why a nameserver address learned from DNS (glue, an A/AAAA answer) may not be queried, or null if
 * it may. By default only public unicast addresses are: anything else would let whoever controls a
 * domain's DNS make the console send packets into our own network and read back what answers.
 * Configured resolvers are operator configuration and are not judged here. The console's test
 * messages apply the same rule to MX host addresses (lib/test-messages/deliver.ts).
 */
export function nameserverAddressRefusal(address: string, policy: NameserverAddressPolicy): AddressRefusal | null {
  const info = describeAddress(address);
  if (!info) return { address, addressClass: "invalid", reason: `${address} is not an IP address` };
  const kind = info.addressClass;
  if (kind === "public") return null;
  if (policy.allowPrivate && (kind === "loopback" || kind === "private")) return null;
  const what = kind === "loopback" ? "a loopback address" : ADDRESS_CLASS_DESCRIPTIONS[kind];
  return { address, addressClass: kind, reason: `${address} is ${what}` };
}

/**
 * The console's HTTP server (scripts/serve.ts) stamps every request with the address it came
 * from, overwriting anything a client sent under that name. Code that limits or logs by client
 * reads it from here.
 */
export const CLIENT_ADDRESS_HEADER = "x-erc-client-address";
export const REQUEST_ID_HEADER = "x-request-id";
/** Set by proxy.ts so server components know the URL being rendered (for sign-in redirects). */
export const REQUEST_PATH_HEADER = "x-erc-path";

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

export function clientAddressFrom(headers: HeaderSource): string {
  return readHeader(headers, CLIENT_ADDRESS_HEADER)?.slice(0, 64) || "unknown";
}

/**
 * The address to stamp: the socket peer, or — behind a reverse proxy the operator trusts — the
 * left-most X-Forwarded-For entry that proxy recorded.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const first = forwardedFor.split(",")[0]?.trim();
    if (first) return first;
  }
  return (socketAddress ?? "unknown").replace(/^::ffff:/, "");
}

/** Written by a reverse proxy, and only meaningful when the operator trusts one (TRUST_PROXY). */
const FORWARDING_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for", "forwarded"];
/** Headers the console sets on requests itself (proxy.ts); a client's own copy must never arrive. */
const INTERNAL_HEADERS = ["content-security-policy", REQUEST_PATH_HEADER];

/**
 * Removes what a client may not decide. Next.js takes X-Forwarded-Host as the request's host when
 * it checks a server action's Origin, so without a trusted proxy a client could name any host and
 * pass the check; with the header gone, Next falls back to Host.
 */
export function dropUntrustedRequestHeaders(headers: Record<string, string | string[] | undefined>, trustProxy: boolean): void {
  for (const name of trustProxy ? INTERNAL_HEADERS : [...FORWARDING_HEADERS, ...INTERNAL_HEADERS]) delete headers[name];
}

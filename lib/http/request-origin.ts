type HeaderReader = { get(name: string): string | null };

/**
 * Whether a browser request comes from a page of the console: its Origin names the host the request
 * was sent to. That host is the Host header, or — only when the operator trusts a reverse proxy to
 * have written it (TRUST_PROXY) — the proxy's X-Forwarded-Host; otherwise any client could widen
 * "same origin" to a host of its choosing. Requests without Origin are not cross-site browser
 * requests (browsers send it on every cross-site POST).
 */
export function isSameOriginRequest(headers: HeaderReader, trustProxy: boolean): boolean {
  const origin = headers.get("origin");
  if (!origin) return true;
  const forwardedHost = trustProxy ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const host = forwardedHost || headers.get("host");
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, some redirects) and anything unparsable
  }
}

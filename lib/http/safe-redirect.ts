// Any control character is refused outright: browsers silently drop tabs and newlines from URLs,
// so `/\t/evil.example` would reach the browser as `//evil.example`, another site.
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * `value` as a path on the console, or null if a browser would take it anywhere else. The value is
 * resolved the way a browser resolves it against the console's origin and accepted only if it stays
 * on that origin; the path returned is the parsed one re-serialised (percent-encoded ASCII), so the
 * browser and a `Location` header see exactly what was checked.
 */
export function sameOriginPath(value: string, origin: string): string | null {
  if (CONTROL_CHARACTER.test(value)) return null;
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can leave a path that starts with `//` (`/..//evil.example`), which a browser reads
  // as another host.
  if (!path.startsWith("/") || path.startsWith("//")) return null;
  return path;
}

/** Where sign-in sends someone afterwards: the console page they asked for, or home. */
export function safeCallbackPath(value: string | string[] | undefined | null, origin: string): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  const path = candidate ? sameOriginPath(candidate, origin) : null;
  if (!path) return "/";
  const pathname = path.split(/[?#]/, 1)[0];
  return pathname === "/signin" || pathname?.startsWith("/signin/") ? "/" : path;
}

/** One name for the session cookie, shared by next-auth's options, the proxy and session reads. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Secure-erc.session-token" : "erc.session-token";
}

export function isSecureUrl(url: string): boolean {
  return url.startsWith("https://");
}

/**
 * One cookie's value from a request's Cookie header (`a=1; b=2`), read as Next.js's `cookies()`
 * reads it for pages, so that a page and a route handler see the same session: pairs split on
 * `;` and spaces, values percent-decoded (a pair that does not decode is skipped, a bare name is
 * "true"), and when a name comes twice the last one counts.
 */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const pair of header.split(/; */)) {
    const equals = pair.indexOf("=");
    if (equals === -1) {
      if (pair === name) found = "true"; // Next.js's reading of a bare name
      continue;
    }
    if (pair.slice(0, equals) !== name) continue;
    try {
      found = decodeURIComponent(pair.slice(equals + 1));
    } catch {
      // skipped, as Next.js skips it
    }
  }
  return found;
}

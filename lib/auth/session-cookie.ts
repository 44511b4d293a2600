/** One name for the session cookie, shared by next-auth's options, the proxy and session reads. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Secure-erc.session-token" : "erc.session-token";
}

export function isSecureUrl(url: string): boolean {
  return url.startsWith("https://");
}

/** One cookie's value from a request's Cookie header (`a=1; b=2`), as browsers send it. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const equals = pair.indexOf("=");
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

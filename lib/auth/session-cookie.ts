/** One name for the session cookie, shared by next-auth's options, the proxy and session reads. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Secure-erc.session-token" : "erc.session-token";
}

export function isSecureUrl(url: string): boolean {
  return url.startsWith("https://");
}

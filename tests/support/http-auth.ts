/**
 * Signing in and out over HTTP the way next-auth's browser client does (CSRF token, then the
 * credentials callback), for tests that look at responses a browser would hide: headers, cookies,
 * and many attempts at once. Each call names the client address the test server should see (it
 * trusts X-Forwarded-For), so the sign-in limits of one test never touch another's.
 */

export interface CsrfPair {
  token: string;
  cookie: string;
}

/** `name=value` pairs from a response's Set-Cookie headers, ready for a Cookie header. */
export function cookiesFrom(response: Response): string[] {
  return response.headers.getSetCookie().map((line) => line.split(";", 1)[0]!);
}

export async function csrf(baseUrl: string, clientAddress: string, cookie = ""): Promise<CsrfPair> {
  const response = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { "x-forwarded-for": clientAddress, cookie } });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const csrfCookie = cookiesFrom(response).find((pair) => pair.includes("csrf-token="));
  if (!csrfCookie) throw new Error("next-auth set no CSRF cookie");
  return { token: csrfToken, cookie: csrfCookie };
}

export interface SignInOutcome {
  /** next-auth's error code (`CredentialsSignin`, `RateLimited:<seconds>`), or null when signed in. */
  error: string | null;
  /** The session cookie as `name=value`, when one was set. */
  session: string | null;
}

export async function signInOverHttp(
  baseUrl: string,
  credentials: { email: string; password: string },
  clientAddress: string,
  pair?: CsrfPair,
): Promise<SignInOutcome> {
  const { token, cookie } = pair ?? (await csrf(baseUrl, clientAddress));
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": clientAddress },
    body: new URLSearchParams({ ...credentials, csrfToken: token, callbackUrl: baseUrl, json: "true" }),
  });
  const { url } = (await response.json()) as { url: string };
  const session = cookiesFrom(response).find((pair) => pair.includes("session-token=")) ?? null;
  return { error: new URL(url, baseUrl).searchParams.get("error"), session };
}

export async function signOutOverHttp(baseUrl: string, session: string, clientAddress: string): Promise<void> {
  const { token, cookie } = await csrf(baseUrl, clientAddress, session);
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${cookie}; ${session}`, "x-forwarded-for": clientAddress },
    body: new URLSearchParams({ csrfToken: token, callbackUrl: `${baseUrl}/signin`, json: "true" }),
  });
  if (!response.ok) throw new Error(`sign-out answered ${response.status}`);
}

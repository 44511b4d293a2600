import { NextResponse, type NextRequest } from "next/server";

import { sessionCookieName } from "@/lib/auth/session-cookie";
import { REQUEST_PATH_HEADER } from "@/lib/http/client-address";
import { createNonce, pageContentSecurityPolicy } from "@/lib/http/security-headers";

const PUBLIC_PATHS = ["/signin"];
/** Records share links (app/share/[token]): read-only pages for whoever runs a domain's DNS, no sign-in. */
const PUBLIC_PREFIXES = ["/share/"];

/**
 * A cheap first pass: visitors without a session cookie go straight to sign-in (and back
 * afterwards). The real checks — session row, licence, permission — happen in every page, server
 * action and route handler; this only saves a round of rendering and tells them the current URL.
 *
 * It also gives every page its Content-Security-Policy with a fresh nonce: set on the request,
 * Next.js finds the nonce there and puts it on the scripts it renders (so pages must be rendered
 * per request, which the console's are: they read the session).
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const path = `${pathname}${search}`;
  const hasSessionCookie =
    request.cookies.has(sessionCookieName(false)) || request.cookies.has(sessionCookieName(true));
  if (!hasSessionCookie && !PUBLIC_PATHS.includes(pathname) && !PUBLIC_PREFIXES.some((prefix) => pathname.startsWith(prefix))) {
    const target = new URL("/signin", request.url);
    if (path !== "/") target.searchParams.set("callbackUrl", path);
    return NextResponse.redirect(target);
  }
  const policy = pageContentSecurityPolicy(createNonce(), { development: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, path);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Everything but Next's assets, API routes (they answer 401/403 themselves) and static files.
      source: "/((?!_next/|api/|favicon\\.ico|.*\\.(?:svg|png|jpg|ico|txt|webmanifest)$).*)",
      // Nor server action calls: defineAction checks the session itself and answers a signed-out
      // caller with a refusal the form shows, and their answer is flight data, not a page, so it
      // needs no nonce. Running the proxy cost each action about a millisecond of CPU (decision 027).
      missing: [{ type: "header", key: "next-action" }],
    },
  ],
};

import "server-only";

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";

import { getConfig, publicUrl } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { clientAddressFrom } from "@/lib/http/client-address";
import { sameOriginPath } from "@/lib/http/safe-redirect";

import { authenticate } from "./authenticate";
import { isSecureUrl, sessionCookieName } from "./session-cookie";
import { endSession } from "./sessions";

/** Error codes next-auth hands back to the sign-in form (which turns them into sentences). */
export const SIGN_IN_ERRORS = {
  invalid: "CredentialsSignin",
  rateLimited: "RateLimited",
} as const;

export function buildAuthOptions(): NextAuthOptions {
  const config = getConfig();
  const secure = isSecureUrl(publicUrl(config));
  const maxAgeSeconds = config.SESSION_MAX_AGE_HOURS * 3600;
  const limits = { maxFailures: config.LOGIN_MAX_FAILURES, windowMinutes: config.LOGIN_FAILURE_WINDOW_MINUTES };

  return {
    secret: config.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: maxAgeSeconds },
    jwt: { maxAge: maxAgeSeconds },
    pages: { signIn: "/signin", error: "/signin" },
    cookies: {
      sessionToken: {
        name: sessionCookieName(secure),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure },
      },
    },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const userAgent = request.headers?.["user-agent"];
          const result = await authenticate(
            getDb(),
            { limits, sessionMaxAgeHours: config.SESSION_MAX_AGE_HOURS },
            {
              email: credentials?.email ?? "",
              password: credentials?.password ?? "",
              clientAddress: clientAddressFrom(request.headers ?? {}),
              userAgent: typeof userAgent === "string" ? userAgent : undefined,
            },
          );
          if (result.ok) return { ...result.user, sessionId: result.sessionId };
          if (result.reason === "rate_limited") throw new Error(`${SIGN_IN_ERRORS.rateLimited}:${result.retryAfterSeconds}`);
          return null;
        },
      }),
    ],
    callbacks: {
      // next-auth's own check joins any value starting with "/" onto the base URL, control
      // characters included; ours resolves it as a browser would.
      redirect({ url, baseUrl }) {
        return `${baseUrl}${sameOriginPath(url, baseUrl) ?? "/"}`;
      },
      jwt({ token, user }) {
        if (user && "sessionId" in user) token.sid = user.sessionId;
        return token;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await endSession(getDb(), token.sid);
      },
    },
  };
}

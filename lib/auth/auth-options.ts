import "server-only";

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";

import { normaliseEmail } from "@/lib/accounts/schemas";
import { getConfig, publicUrl } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { clientAddressFrom } from "@/lib/http/client-address";

import { checkLoginAllowance, clearAccountFailures, recordLoginFailure } from "./login-limiter";
import { verifyPassword } from "./password";
import { isSecureUrl, sessionCookieName } from "./session-cookie";
import { createSession, endSession } from "./sessions";

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
          const email = normaliseEmail(credentials?.email ?? "");
          const password = credentials?.password ?? "";
          if (!email || !password) return null;
          const db = getDb();
          const clientAddress = clientAddressFrom(request.headers ?? {});
          const allowance = await checkLoginAllowance(db, limits, { email, clientAddress });
          if (!allowance.allowed) {
            throw new Error(`${SIGN_IN_ERRORS.rateLimited}:${allowance.retryAfterSeconds}`);
          }
          const user = await db.user.findUnique({ where: { email } });
          // One outcome for "no such account" and "wrong password", so neither is revealed.
          if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
            await recordLoginFailure(db, limits, { email, clientAddress });
            return null;
          }
          await clearAccountFailures(db, email);
          const userAgent = request.headers?.["user-agent"];
          const session = await createSession(db, {
            userId: user.id,
            maxAgeHours: config.SESSION_MAX_AGE_HOURS,
            clientAddress,
            userAgent: typeof userAgent === "string" ? userAgent : undefined,
          });
          return { id: user.id, email: user.email, name: user.name, sessionId: session.id };
        },
      }),
    ],
    callbacks: {
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

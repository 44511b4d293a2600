import { encode } from "next-auth/jwt";

import { sessionCookieName } from "@/lib/auth/session-cookie";
import { createSession, type Actor, findActor } from "@/lib/auth/sessions";
import { getDb, getPool } from "@/lib/db/client";

/**
 * Integration tests call server actions and pages' data functions directly. Next.js would give
 * them the request's cookies and headers; tests/support/setup-integration.ts replaces
 * `next/headers` with this store, and these helpers put a real signed session cookie in it.
 */
export const requestContext = {
  cookies: new Map<string, string>(),
  headers: new Headers(),
};

export const TEST_SECRET = "integration-test-secret-that-is-long-enough";

export async function actAs(email: string): Promise<Actor> {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  const session = await createSession(db, { userId: user.id, maxAgeHours: 1 });
  const token = await encode({ token: { sid: session.id, sub: user.id }, secret: TEST_SECRET });
  requestContext.cookies.clear();
  requestContext.cookies.set(sessionCookieName(false), token);
  const actor = await findActor(getPool(), session.id);
  if (!actor) throw new Error("session was not created");
  return actor;
}

export function actAsNobody(): void {
  requestContext.cookies.clear();
}

/**
 * A request to a route handler as the browser sends it for the current session: route handlers
 * read the session from the request's own Cookie header.
 */
export function apiRequest(url: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  const cookie = [...requestContext.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  if (cookie) headers.set("cookie", cookie);
  return new Request(url, { ...init, headers });
}

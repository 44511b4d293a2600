import "server-only";

import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";

import { getConfig, publicUrl } from "@/lib/config/env";
import { getPool } from "@/lib/db/client";
import { REQUEST_PATH_HEADER } from "@/lib/http/client-address";

import { decideAccess, type Ability, type AccessRefusal } from "./permissions";
import { cookieValue, isSecureUrl, sessionCookieName } from "./session-cookie";
import { decodeSessionToken } from "./session-token";
import { findActor, type Actor } from "./sessions";

export type { Actor } from "./sessions";

/**
 * The one place pages, server actions and route handlers ask "who is this, and may they do X in
 * their organisation". The cookie only names a server-side session; the session row, the user's
 * permissions and the organisation's licences are read fresh on every request.
 */
export const getActor = cache(async (): Promise<Actor | null> => {
  // Reading cookies first marks the render as per-request, so builds never reach the config below.
  const cookieStore = await cookies();
  return actorForSessionCookie((name) => cookieStore.get(name)?.value);
});

async function actorForSessionCookie(read: (name: string) => string | undefined): Promise<Actor | null> {
  const config = getConfig();
  const raw = read(sessionCookieName(isSecureUrl(publicUrl(config))));
  if (!raw || !config.NEXTAUTH_SECRET) return null;
  const token = await decodeSessionToken(raw, config.NEXTAUTH_SECRET);
  if (!token || typeof token.sid !== "string") return null;
  return findActor(getPool(), token.sid);
}

export type AccessCheck = { ok: true; actor: Actor } | { ok: false; decision: AccessRefusal };

/** Whether the current page's or server action's visitor may do `ability`. */
export async function checkAccess(ability: Ability): Promise<AccessCheck> {
  return accessFor(await getActor(), ability);
}

/**
 * The same for a route handler's request, read from its own Cookie header rather than from
 * Next.js's request scope: the same handler also answers outside Next.js's router
 * (lib/http/direct-routes.ts).
 */
export async function checkRequestAccess(request: Request, ability: Ability): Promise<AccessCheck> {
  const header = request.headers.get("cookie");
  return accessFor(await actorForSessionCookie((name) => cookieValue(header, name)), ability);
}

function accessFor(actor: Actor | null, ability: Ability): AccessCheck {
  const decision = decideAccess(actor, ability);
  if (!decision.allowed) return { ok: false, decision };
  return { ok: true, actor: actor as Actor };
}

/** Where the visitor was going, so sign-in can bring them back. */
async function currentPath(): Promise<string> {
  const path = (await headers()).get(REQUEST_PATH_HEADER);
  return path && path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

export async function signInUrl(): Promise<string> {
  const path = await currentPath();
  return path === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(path)}`;
}

/** Remembers, for this request, why access was refused, so the 403 page can say exactly that. */
const refusal = cache((): { decision: AccessRefusal | null } => ({ decision: null }));

export function getRefusal(): AccessRefusal | null {
  return refusal().decision;
}

/** For pages and layouts: signed-out visitors go to sign-in; others lacking access get the 403 page. */
export async function requirePageAccess(ability: Ability = "view"): Promise<Actor> {
  const check = await checkAccess(ability);
  if (check.ok) return check.actor;
  if (check.decision.reason === "unauthenticated") redirect(await signInUrl());
  refusal().decision = check.decision;
  forbidden();
}

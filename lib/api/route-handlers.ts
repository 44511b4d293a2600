import "server-only";

import { randomUUID } from "node:crypto";

import { NextResponse } from "next/server";

import { checkRequestAccess, type Actor } from "@/lib/auth/gate";
import { refusalMessage, type Ability } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { DomainError } from "@/lib/errors";
import { isSameOriginRequest } from "@/lib/http/request-origin";
import { log } from "@/lib/log";

/**
 * The gate and error handling of API route handlers, matching defineAction's: session → licence →
 * permission on every request, organisation from the session, expected failures as JSON with a
 * message, anything else logged with a reference and never described.
 *
 * The session comes from the request's own Cookie header. A handler registered in
 * lib/http/direct-routes.ts also runs outside Next.js's router, where `cookies()`, `headers()` and
 * `after()` do not work: such a handler must use only the request (a call to one of them would be
 * caught here and answered 500).
 */

const STATUS_BY_CODE: Record<string, number> = {
  unauthenticated: 401,
  licence_required: 403,
  permission_required: 403,
  validation: 422,
  not_found: 404,
  too_large: 413,
  conflict: 409,
  stale: 409,
  limit: 409,
};

export function apiError(code: string, error: string, extra: Record<string, unknown> = {}): NextResponse {
  return NextResponse.json({ ok: false, code, error, ...extra }, { status: STATUS_BY_CODE[code] ?? 400, headers: { "Cache-Control": "no-store" } });
}

export function withApiAccess(
  options: { name: string; ability: Ability },
  handler: (request: Request, actor: Actor) => Promise<Response>,
): (request: Request) => Promise<Response>;
/** `Context` is what Next passes a route handler second: `{ params: Promise<{ id: string }> }` for a dynamic segment. */
export function withApiAccess<Context>(
  options: { name: string; ability: Ability },
  handler: (request: Request, actor: Actor, context: Context) => Promise<Response>,
): (request: Request, context: Context) => Promise<Response>;
export function withApiAccess<Context>(
  options: { name: string; ability: Ability },
  handler: (request: Request, actor: Actor, context: Context) => Promise<Response>,
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    try {
      // Writes must come from the console's own pages. Session cookies are SameSite=Lax as well;
      // this is the second lock.
      if (request.method !== "GET" && request.method !== "HEAD" && !isSameOriginRequest(request.headers, getConfig().TRUST_PROXY)) {
        return apiError("permission_required", "Requests to the console must come from its own pages; nothing was changed.");
      }
      const access = await checkRequestAccess(request, options.ability);
      if (!access.ok) {
        const { decision } = access;
        const details =
          decision.reason === "licence_required"
            ? { qualifyingLicences: decision.qualifyingLicences }
            : decision.reason === "permission_required"
              ? { permission: decision.permission }
              : {};
        return apiError(decision.reason, refusalMessage(decision), details);
      }
      return await handler(request, access.actor, context);
    } catch (error) {
      if (error instanceof DomainError) {
        return apiError(error.code, error.message, error.fieldErrors ? { fieldErrors: error.fieldErrors } : {});
      }
      const reference = randomUUID().slice(0, 8);
      log.error({ err: error, route: options.name, reference }, "API request failed");
      return NextResponse.json(
        {
          ok: false,
          code: "internal",
          error: `Something went wrong on our side. Try again; if it keeps happening, quote reference ${reference}.`,
        },
        { status: 500, headers: { "Cache-Control": "no-store" } },
      );
    }
  };
}

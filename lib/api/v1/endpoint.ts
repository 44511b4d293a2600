import "server-only";

import { randomUUID } from "node:crypto";

import type { z } from "zod";

import { fieldErrorsFrom } from "@/lib/actions/define-action";
import { authenticateApiKey, type ApiKeyActor, type KeyRefusal } from "@/lib/api-keys/authenticate";
import { hitApiRateLimit } from "@/lib/api-keys/rate-limit";
import { decideAccess, type Ability } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { getDb, type Database } from "@/lib/db/client";
import { DomainError, StaleVersionError, ValidationError } from "@/lib/errors";
import { MAX_REQUEST_BODY_BYTES } from "@/lib/http/body-limits";
import { REQUEST_ID_HEADER } from "@/lib/http/client-address";
import { readTextWithin } from "@/lib/http/read-body";
import { log } from "@/lib/log";

import { claimIdempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH, requestFingerprint, settleIdempotencyKey } from "./idempotency";
import { PreconditionRequiredError } from "./preconditions";
import { PROBLEM_CONTENT_TYPE, problemBody, type Problem, type ProblemCode } from "./problem";

/**
 * The one wrapper every /api/v1 route handler goes through, in this order: the API key (401),
 * the key's rate limit (429), the same access decision as the console's gate — licence, then the
 * permission for the ability, narrowed by the key (403) — then the body (413, 415, 400), the
 * Idempotency-Key of a POST, and the handler. Domain errors become problem details; anything else
 * is logged with a reference and answered 500 without internals.
 */

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface EndpointContext<Params> {
  request: Request;
  url: URL;
  actor: ApiKeyActor;
  db: Database;
  params: Params;
  /** The body as JSON; a missing body is `undefined` (the schema then says what is missing). */
  json(): unknown;
  /** The query string, one value per name. */
  query(): Record<string, string>;
}

export interface EndpointOptions<Params> {
  name: string;
  ability: Ability;
  /** Bodies larger than this are refused (413); the HTTP server applies the same limit first. */
  maxBodyBytes?: number;
  /** The resource as it is now, for the 412 answer to a change based on an older version. */
  current?: (context: EndpointContext<Params>) => Promise<Reply>;
}

/** A failure of the request itself (not of the domain): answered with its problem code. */
export class ApiRequestError extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

const KEY_REFUSALS: Record<KeyRefusal, string> = {
  missing: "Send an API key as `Authorization: Bearer <key>`. Create one under Settings > API keys.",
  malformed: "The Authorization header does not hold an API key of this console.",
  unknown: "This API key is not known. It may have been typed wrong, or deleted.",
  revoked: "This API key was revoked. Create a new one under Settings > API keys.",
  expired: "This API key has expired. Create a new one under Settings > API keys.",
};

const DOMAIN_CODES: Record<DomainError["code"], ProblemCode> = {
  validation: "validation",
  not_found: "not_found",
  conflict: "conflict",
  stale: "stale",
  limit: "limit",
};

/** Validates with the same zod schema the console's forms and actions use; failures are 422 with `errors`. */
export function parseWith<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError("Some fields need attention; nothing was saved.", fieldErrorsFrom(parsed.error));
  return parsed.data;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

function toResponse(reply: Reply, extraHeaders: Record<string, string> = {}): Response {
  const isProblem = reply.status >= 400;
  const headers = new Headers({ "Cache-Control": "no-store", ...reply.headers, ...extraHeaders });
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  headers.set("Content-Type", isProblem ? PROBLEM_CONTENT_TYPE : "application/json; charset=utf-8");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}

function problem(code: ProblemCode, detail: string, extra: Pick<Problem, "errors" | "current" | "reference"> = {}, headers: Record<string, string> = {}): Reply {
  const body = problemBody(code, detail, extra);
  return { status: body.status, body, headers };
}

function isJsonType(contentType: string | null): boolean {
  if (!contentType) return false;
  const type = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

export function defineEndpoint<Params = Record<string, never>>(
  options: EndpointOptions<Params>,
  handler: (context: EndpointContext<Params>) => Promise<Reply>,
): (request: Request, route: { params: Promise<Params> }) => Promise<Response> {
  return async (request, route) => {
    const db = getDb();
    const url = new URL(request.url);
    let idempotency: { apiKeyId: string; key: string } | null = null;
    let context: EndpointContext<Params> | null = null;
    const answer = async (reply: Reply): Promise<Response> => {
      if (idempotency) await settleIdempotencyKey(db, idempotency, { status: reply.status, headers: reply.headers ?? {}, body: reply.body });
      return toResponse(reply);
    };
    try {
      const authentication = await authenticateApiKey(db, request.headers.get("authorization"));
      if (!authentication.ok) {
        return toResponse(problem("unauthenticated", KEY_REFUSALS[authentication.reason], {}, { "WWW-Authenticate": 'Bearer realm="api"' }));
      }
      const { actor } = authentication;
      const rate = await hitApiRateLimit(db, actor.apiKeyId, getConfig().API_RATE_LIMIT_PER_MINUTE);
      if (!rate.allowed) {
        return toResponse(
          problem("rate_limited", `This key sent more than ${getConfig().API_RATE_LIMIT_PER_MINUTE} requests this minute; try again in ${rate.retryAfterSeconds} s.`, {}, {
            "Retry-After": String(rate.retryAfterSeconds),
          }),
        );
      }
      const decision = decideAccess(actor, options.ability);
      if (!decision.allowed) {
        if (decision.reason === "licence_required") {
          return toResponse(problem("licence_required", "Your organisation's licence does not include email routing."));
        }
        if (decision.reason === "permission_required") {
          return toResponse(
            problem("permission_required", `This key cannot do this: it needs the ${decision.label} permission (${decision.permission}), through a manage key of someone who has it.`),
          );
        }
        return toResponse(problem("unauthenticated", KEY_REFUSALS.unknown));
      }

      const text = request.method === "GET" || request.method === "HEAD" ? "" : await readTextWithin(request, options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES);
      if (text === null) {
        return toResponse(problem("too_large", `The request body is larger than ${Math.round((options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES) / 1024)} KB; nothing was saved.`));
      }
      let parsedBody: unknown = undefined;
      if (text.trim() !== "") {
        if (!isJsonType(request.headers.get("content-type"))) {
          return toResponse(problem("unsupported_media_type", "Send the body as JSON, with Content-Type: application/json; nothing was saved."));
        }
        try {
          parsedBody = JSON.parse(text);
        } catch {
          return toResponse(problem("bad_request", "The body is not valid JSON; nothing was saved."));
        }
      }

      const idempotencyKey = request.headers.get("idempotency-key");
      if (request.method === "POST" && idempotencyKey !== null) {
        if (idempotencyKey.trim() === "" || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH || /[^\x21-\x7e]/.test(idempotencyKey)) {
          return toResponse(problem("bad_request", `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, such as a UUID.`));
        }
        const scope = {
          apiKeyId: actor.apiKeyId,
          key: idempotencyKey,
          method: request.method,
          path: url.pathname,
          fingerprint: requestFingerprint(request.method, `${url.pathname}${url.search}`, text),
        };
        const claim = await claimIdempotencyKey(db, scope);
        if (claim.kind === "replay") return toResponse({ status: claim.reply.status, headers: claim.reply.headers, body: claim.reply.body }, { "Idempotency-Replayed": "true" });
        if (claim.kind === "in_progress") {
          return toResponse(problem("idempotency_in_progress", "A request with this Idempotency-Key is still being answered; retry in a moment."));
        }
        if (claim.kind === "mismatch") {
          return toResponse(problem("idempotency_mismatch", "This Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new request."));
        }
        idempotency = { apiKeyId: actor.apiKeyId, key: idempotencyKey };
      }

      const params = await route.params;
      context = {
        request,
        url,
        actor,
        db,
        params,
        json: () => parsedBody,
        query: () => Object.fromEntries(url.searchParams),
      };
      return await answer(await handler(context));
    } catch (error) {
      try {
        if (error instanceof ApiRequestError) return await answer(problem(error.code, error.message, {}, error.headers));
        if (error instanceof PreconditionRequiredError) return await answer(problem("precondition_required", error.message));
        if (error instanceof StaleVersionError && options.current && context) {
          const current = await options.current(context);
          if (current.status >= 400) return await answer(current);
          return await answer(problem("stale", error.message, { current: current.body }, current.headers ?? {}));
        }
        if (error instanceof DomainError) {
          return await answer(problem(DOMAIN_CODES[error.code], error.message, error.fieldErrors ? { errors: error.fieldErrors } : {}));
        }
      } catch (inner) {
        error = inner;
      }
      const reference = randomUUID().slice(0, 8);
      log.error({ err: error, endpoint: options.name, reference, requestId: request.headers.get(REQUEST_ID_HEADER) ?? undefined }, "API v1 request failed");
      const reply = problem("internal", `Something went wrong on our side; nothing may have been saved. Try again; if it keeps happening, quote reference ${reference}.`, { reference });
      if (idempotency) await settleIdempotencyKey(db, idempotency, { status: 500, headers: {}, body: null }).catch(() => undefined);
      return toResponse(reply);
    }
  };
}

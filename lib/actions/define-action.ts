import "server-only";

import { randomUUID } from "node:crypto";

import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";

import { checkAccess, type Actor } from "@/lib/auth/gate";
import { refusalMessage, type Ability } from "@/lib/auth/permissions";
import { getDb, type Database } from "@/lib/db/client";
import { DomainError, StaleVersionError, type FieldErrors } from "@/lib/errors";
import { REQUEST_ID_HEADER } from "@/lib/http/client-address";
import { log } from "@/lib/log";

import type { ActionResult, StaleShape } from "./result";

export interface ActionContext {
  actor: Actor;
  db: Database;
}

/** The id scripts/serve.ts stamped on this request, to find the action's failure among the access logs. */
async function currentRequestId(): Promise<string | undefined> {
  try {
    return (await headers()).get(REQUEST_ID_HEADER) ?? undefined;
  } catch {
    return undefined; // called outside a request (scripts, tests)
  }
}

/** Turns zod's issues into `{ field: [messages] }`, keyed by the dotted path the form uses. */
export function fieldErrorsFrom(error: z.ZodError): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join(".") : "_form";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return fieldErrors;
}

export interface ActionDefinition {
  name: string;
  ability: Ability;
}

const definitions = new WeakMap<object, ActionDefinition>();

/**
 * What defineAction made of a server action, or undefined for a function it did not make. The test
 * that calls every exported server action through the gate (tests/integration/action-gates.test.ts)
 * uses it to refuse actions written without defineAction.
 */
export function actionDefinition(action: unknown): ActionDefinition | undefined {
  return typeof action === "function" ? definitions.get(action) : undefined;
}

/**
 * Wraps a server action body so that, whatever the UI showed, every call re-checks the session,
 * the organisation's licence and the permission, then validates the input with the same zod schema
 * the form uses, before the body runs with the actor's organisation. Expected failures come back
 * as results; anything else is logged with a reference and reported without internals.
 */
export function defineAction<Schema extends z.ZodType, Output, Current = never>(
  options: { name: string; ability: Ability; input: Schema; stale?: StaleShape<Current> },
  body: (input: z.output<Schema>, context: ActionContext) => Promise<Output>,
): (input: z.input<Schema>) => Promise<ActionResult<Output, Current>> {
  const action = async (rawInput: z.input<Schema>): Promise<ActionResult<Output, Current>> => {
    try {
      const access = await checkAccess(options.ability);
      if (!access.ok) {
        return { ok: false, code: access.decision.reason, error: refusalMessage(access.decision, { nothingChanged: true }) };
      }
      const parsed = options.input.safeParse(rawInput);
      if (!parsed.success) {
        return {
          ok: false,
          code: "validation",
          error: "Some fields need attention; nothing was saved.",
          fieldErrors: fieldErrorsFrom(parsed.error),
        };
      }
      const data = await body(parsed.data, { actor: access.actor, db: getDb() });
      return { ok: true, data };
    } catch (error) {
      unstable_rethrow(error); // redirects and other Next.js control flow are not failures
      if (error instanceof DomainError) {
        return {
          ok: false,
          code: error.code,
          error: error.message,
          ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}),
          ...(error instanceof StaleVersionError ? { current: error.current as Current } : {}),
        };
      }
      const reference = randomUUID().slice(0, 8);
      log.error({ err: error, action: options.name, reference, requestId: await currentRequestId() }, "server action failed");
      return {
        ok: false,
        code: "internal",
        error: `Something went wrong on our side and nothing was saved. Try again; if it keeps happening, quote reference ${reference}.`,
      };
    }
  };
  definitions.set(action, { name: options.name, ability: options.ability });
  return action;
}

import { encode } from "next-auth/jwt";
import { beforeEach, describe, expect, it } from "vitest";

import { createRouteAction } from "@/app/(console)/routes/actions";
import { checkAccess } from "@/lib/auth/gate";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { endSession } from "@/lib/auth/sessions";
import { getDb } from "@/lib/db/client";
import type { CreateRouteInput } from "@/lib/routes/schemas";

import { actAs, actAsNobody, requestContext, TEST_SECRET } from "../support/request-context";
import { clearRouting, makeRoutingWorld, seedRoutingOrganizations } from "../support/routing-fixtures";

/**
 * The gate reads the session cookie with a key derived once per secret (lib/auth/session-token.ts)
 * rather than once per request. These tests hold it to next-auth's own format, and show that what
 * it keeps between requests is only the key: signing out, a changed permission or a lost licence
 * is refused on the very next action, with the same cookie that was accepted a moment before.
 */

const db = getDb();
const { acme } = await seedRoutingOrganizations(db);
let world: Awaited<ReturnType<typeof makeRoutingWorld>>;

beforeEach(async () => {
  await clearRouting(db);
  world = await makeRoutingWorld(db, acme.id);
  actAsNobody();
});

const route = (pattern: string): CreateRouteInput => ({ domainId: world.domain.id, pattern, queueId: world.support.id, fromName: "Acme" });
const patterns = async () => (await db.route.findMany({ orderBy: { pattern: "asc" } })).map((row) => row.pattern);
const setCookie = (value: string) => requestContext.cookies.set(sessionCookieName(false), value);
const cookie = () => requestContext.cookies.get(sessionCookieName(false))!;

describe("the session cookie", () => {
  it("accepts what next-auth wrote, and refuses another secret's, a tampered and an expired cookie", async () => {
    const actor = await actAs("admin@acme.example");
    expect(await checkAccess("manage")).toMatchObject({ ok: true, actor: { sessionId: actor.sessionId, email: "admin@acme.example" } });
    const genuine = cookie();

    setCookie(await encode({ token: { sid: actor.sessionId }, secret: "another-secret-that-is-long-enough-too" }));
    expect(await checkAccess("view")).toMatchObject({ ok: false, decision: { reason: "unauthenticated" } });

    const parts = genuine.split(".");
    const ciphertext = parts[3]!;
    parts[3] = `${ciphertext[0] === "A" ? "B" : "A"}${ciphertext.slice(1)}`;
    setCookie(parts.join("."));
    expect(await checkAccess("view")).toMatchObject({ ok: false, decision: { reason: "unauthenticated" } });

    // Expired a minute ago: past next-auth's 15 s of clock tolerance.
    setCookie(await encode({ token: { sid: actor.sessionId }, secret: TEST_SECRET, maxAge: -60 }));
    expect(await checkAccess("view")).toMatchObject({ ok: false, decision: { reason: "unauthenticated" } });

    setCookie(genuine);
    expect(await checkAccess("manage")).toMatchObject({ ok: true });
  });
});

describe("what the gate keeps between actions", () => {
  it("refuses the next action after sign-out, with the cookie that was accepted just before", async () => {
    const actor = await actAs("admin@acme.example");
    expect(await createRouteAction(route("before"))).toMatchObject({ ok: true });
    await endSession(db, actor.sessionId);
    expect(await createRouteAction(route("after"))).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await patterns()).toEqual(["before"]);
  });

  it("refuses the next action once the user loses the manage permission, and allows it again when it comes back", async () => {
    await actAs("admin@acme.example");
    const user = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
    expect(await createRouteAction(route("before"))).toMatchObject({ ok: true });
    try {
      await db.user.update({ where: { id: user.id }, data: { permissions: ["routing:email:view"] } });
      expect(await createRouteAction(route("demoted"))).toMatchObject({ ok: false, code: "permission_required" });
    } finally {
      await db.user.update({ where: { id: user.id }, data: { permissions: user.permissions } });
    }
    expect(await createRouteAction(route("restored"))).toMatchObject({ ok: true });
    expect(await patterns()).toEqual(["before", "restored"]);
  });

  it("refuses the next action once the organisation's licence is gone", async () => {
    await actAs("admin@acme.example");
    expect(await createRouteAction(route("before"))).toMatchObject({ ok: true });
    try {
      await db.organization.update({ where: { id: acme.id }, data: { licences: [] } });
      expect(await createRouteAction(route("unlicensed"))).toMatchObject({ ok: false, code: "licence_required" });
    } finally {
      await db.organization.update({ where: { id: acme.id }, data: { licences: acme.licences } });
    }
    expect(await patterns()).toEqual(["before"]);
  });
});

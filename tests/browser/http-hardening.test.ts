import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { createSession } from "@/lib/auth/sessions";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { MAX_IMPORT_BYTES } from "@/lib/http/body-limits";

import { appUrl, describeInBrowser } from "../support/browser";
import { makeQueue, makeRoute } from "../support/routing-fixtures";
import { PROJECT_ROOT, TEST_APP_ENV } from "../support/test-app";

/**
 * What the console answers over HTTP, as built and served in production (scripts/serve.ts in front
 * of Next.js), to requests a probe would send: bodies that never end, oversized server action
 * bodies, malformed paths and another organisation's pages. Runs in the browser project because it
 * builds and starts the app; it needs no browser itself. Stark is an organisation of its own.
 */
const STARK_ADMIN = "admin@stark.example";
let starkDomain = { id: "", name: "hardening.stark.test" };

beforeAll(async () => {
  if (!inject("chromium")) return;
  selectDatabase(inject("appDatabaseUrl"));
  const db = getDb();
  const stark = await upsertOrganization(db, { slug: "stark", name: "Stark", licences: ["Genesys Cloud CX 3"] });
  await upsertUser(db, { organizationSlug: "stark", email: STARK_ADMIN, name: "Tony", password: "stark-admin-password", permissions: ["routing:email:manage"] });
  const domain = await db.domain.upsert({
    where: { name: starkDomain.name },
    update: { organizationId: stark.id },
    create: { organizationId: stark.id, name: starkDomain.name, displayName: starkDomain.name, kind: "custom", scenario: "own_domain", status: "verified", verifiedAt: new Date() },
  });
  starkDomain = { id: domain.id, name: domain.name };
});

afterAll(async () => {
  await disconnectDb();
});

/** A signed session cookie for the account, as the sign-in page would set it. */
async function sessionCookie(email: string): Promise<string> {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  const session = await createSession(db, { userId: user.id, maxAgeHours: 1 });
  const token = await encode({ token: { sid: session.id, sub: user.id }, secret: TEST_APP_ENV.NEXTAUTH_SECRET! });
  return `${sessionCookieName(false)}=${token}`;
}

interface Sent {
  status: number;
  contentType: string;
  body: string;
  /** Bytes of the body the client had written when the answer came. */
  sent: number;
}

/**
 * POSTs a body of `total` bytes in 64 KB chunks (chunked, or with its Content-Length), honouring
 * back-pressure, and stops writing as soon as the server answers.
 */
function post(url: string, headers: Record<string, string>, total: number, options: { chunked: boolean; first?: string }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = http.request(url, {
      method: "POST",
      headers: options.chunked ? { ...headers, "transfer-encoding": "chunked" } : { ...headers, "content-length": String(total) },
    });
    request.on("response", (response) => {
      answered = true;
      let body = "";
      const finish = () => {
        request.destroy(); // the rest of the body is not going to be sent
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers["content-type"] ?? ""), body, sent });
      };
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", finish);
      response.on("error", finish); // the server closes the connection it no longer reads
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const first = Buffer.from(options.first ?? "");
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (!answered && sent < total) {
        const piece = sent === 0 && first.length > 0 ? first : chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!request.write(piece)) {
          request.once("drain", pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}

/** The id of a real server action in this build, and a page it can be posted to. */
async function someServerAction(): Promise<{ id: string; page: string }> {
  const manifest = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, process.env.NEXT_DIST_DIR || ".next", "server/server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { exportedName: string }> };
  const id = Object.entries(manifest.node).find(([, action]) => action.exportedName === "testAddressAction")?.[0];
  if (!id) throw new Error("testAddressAction is not in the build's server action manifest");
  return { id, page: "/routes" };
}

describeInBrowser("request bodies", () => {
  it("stops reading an endless chunked import at the limit and answers 413 with a clear message", async () => {
    const cookie = await sessionCookie(STARK_ADMIN);
    const total = 200 * 1024 * 1024;
    const answer = await post(`${appUrl}/api/routes/import?mode=preview`, { cookie, "content-type": "text/csv" }, total, {
      chunked: true,
      first: "domain,pattern,queue,fromName\n",
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      ok: false,
      code: "too_large",
      error: "The file is larger than 20 MB; split it into several imports. Nothing was imported.",
    });
    // The server answered long before the client got through the file: it read about the limit.
    expect(answer.sent).toBeLessThan(MAX_IMPORT_BYTES * 3);

    // A file that declares its size is refused from the declaration, before its body is read.
    const declared = await post(`${appUrl}/api/routes/import?mode=preview`, { cookie, "content-type": "text/csv" }, MAX_IMPORT_BYTES + 1, {
      chunked: false,
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ code: "too_large", error: expect.stringContaining("split it into several imports") });
  });

  it("refuses a server action body larger than the limit with a readable 413, not a 500", async () => {
    const cookie = await sessionCookie("admin@acme.example");
    const action = await someServerAction();
    const headers = { cookie, "next-action": action.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" };
    const declared = await post(`${appUrl}${action.page}`, headers, 2 * 1024 * 1024, { chunked: false });
    expect(declared).toMatchObject({ status: 413, contentType: "text/plain" });
    expect(declared.body).toBe("The request is larger than 256 KB, more than any form of the console sends; nothing was saved.");
    const chunked = await post(`${appUrl}${action.page}`, headers, 2 * 1024 * 1024, { chunked: true });
    expect(chunked).toMatchObject({ status: 411, contentType: "text/plain", body: "Send the request with a Content-Length header; nothing was saved." });
  });

  it("still runs a server action of ordinary size", async () => {
    const cookie = await sessionCookie("admin@acme.example");
    const action = await someServerAction();
    const response = await fetch(`${appUrl}${action.page}`, {
      method: "POST",
      headers: { cookie, "next-action": action.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
      body: JSON.stringify([{ address: "nobody@nowhere.test" }]),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("unknown_domain");
  });
});

describeInBrowser("pages that do not exist", () => {
  it("answers 404 for a malformed domain path and for another organisation's domain, 200 for one's own", async () => {
    const acme = await sessionCookie("admin@acme.example");
    const stark = await sessionCookie(STARK_ADMIN);
    const status = async (cookie: string, pathname: string) =>
      (await fetch(`${appUrl}${pathname}`, { headers: { cookie }, redirect: "manual" })).status;
    expect(await status(acme, "/domains/%ZZ")).toBe(404);
    expect(await status(acme, "/domains/%00")).toBe(404);
    expect(await status(acme, `/domains/${starkDomain.name}`)).toBe(404);
    expect(await status(acme, `/domains/${starkDomain.id}`)).toBe(404);
    const own = await fetch(`${appUrl}/domains/${starkDomain.name}`, { headers: { cookie: stark }, redirect: "manual" });
    expect(own.status, (await own.text()).match(/<h1[^>]*>([^<]*)/)?.[1] ?? "").toBe(200);
    expect(await status(stark, `/domains/${starkDomain.id}`)).toBe(200);
  });

  it("shows the routes and audit pages, not an error, for a search with a NUL byte", async () => {
    const acme = await sessionCookie("admin@acme.example");
    for (const pathname of ["/routes?q=%00", "/audit?q=%00&actor=%00&action=%00"]) {
      const response = await fetch(`${appUrl}${pathname}`, { headers: { cookie: acme } });
      expect(response.status, pathname).toBe(200);
    }
  });
});

describeInBrowser("the routes list, answered ahead of Next.js's router", () => {
  const STARK_NOBODY = "nobody@stark.example";

  /** A raw GET, so the answer's own encoding and headers are seen as sent. */
  function get(pathname: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      http
        .get(`${appUrl}${pathname}`, { headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        })
        .on("error", reject);
    });
  }
  const json = (answer: { headers: http.IncomingHttpHeaders; body: Buffer }) =>
    JSON.parse((answer.headers["content-encoding"] === "gzip" ? gunzipSync(answer.body) : answer.body).toString("utf8")) as Record<string, unknown>;

  it("refuses the signed-out, a forged cookie and an account without the permission, with the security headers", async () => {
    await upsertUser(getDb(), { organizationSlug: "stark", email: STARK_NOBODY, name: "Nobody", password: "stark-nobody-password", permissions: [] });
    const forged = `${sessionCookieName(false)}=${"x".repeat(120)}`;
    for (const cookie of ["", forged]) {
      const answer = await get("/api/routes", cookie ? { cookie } : {});
      expect(answer.status).toBe(401);
      expect(json(answer)).toMatchObject({ ok: false, code: "unauthenticated" });
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(answer.headers["x-request-id"]).toMatch(/^[\w-]+$/);
    }
    const refused = await get("/api/routes", { cookie: await sessionCookie(STARK_NOBODY) });
    expect(refused.status).toBe(403);
    expect(json(refused)).toMatchObject({ ok: false, code: "permission_required" });
  });

  it("answers each organisation with its own routes, gzipped when the client takes it, and a readable 422", async () => {
    const db = getDb();
    const stark = await db.organization.findUniqueOrThrow({ where: { slug: "stark" } });
    if ((await db.route.count({ where: { organizationId: stark.id } })) === 0) {
      const queue = await makeQueue(db, stark.id, "Hardening");
      for (let index = 0; index < 30; index++) await makeRoute(db, stark.id, starkDomain, `desk${index}`, queue.id);
    }
    const starkCookie = await sessionCookie(STARK_ADMIN);
    // The session cookie among others, as a browser sends it.
    const zipped = await get("/api/routes?size=25", { cookie: `theme=dark; ${starkCookie}; other=1`, "accept-encoding": "gzip, deflate" });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    // Answered by scripts/serve.ts itself: whole, with its length. Through Next.js's router the
    // gzipped answer is streamed chunked, without one.
    expect(zipped.headers["content-length"]).toBe(String(zipped.body.length));
    expect(zipped.headers["transfer-encoding"]).toBeUndefined();
    expect(zipped.headers["cache-control"]).toBe("private, no-store");
    const starkPage = json(zipped) as { total: number; rows: { address: string }[] };
    expect(starkPage.total).toBe(30);
    expect(starkPage.rows.map((row) => row.address)).toContain(`desk0@${starkDomain.name}`);
    expect(starkPage.rows).toHaveLength(25);

    const plain = await get("/api/routes?size=25&q=desk1", { cookie: starkCookie, "accept-encoding": "gzip;q=0, identity" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(json(plain)).toMatchObject({ total: 11 }); // desk1 and desk10–desk19

    // Another organisation's admin does not see them, searched for by name.
    const acme = await sessionCookie("admin@acme.example");
    expect(json(await get(`/api/routes?q=${starkDomain.name}`, { cookie: acme }))).toMatchObject({ total: 0, rows: [] });

    const invalid = await get("/api/routes?q=%00", { cookie: acme });
    expect(invalid.status).toBe(422);
    expect(json(invalid)).toMatchObject({ ok: false, code: "validation", fieldErrors: { q: [expect.any(String)] } });
  });
});

import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { CONFIGURATION_FORMAT } from "@/lib/api/v1/configuration";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/commands";
import { isPermission } from "@/lib/auth/permissions";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";

import { appUrl, describeInBrowser } from "../support/browser";
import { openApiSchemaErrors, ResponseChecker, type OpenApiDocument } from "../support/openapi-check";

/**
 * The Automation API over HTTP, as built and served in production (scripts/serve.ts in front of
 * Next.js), with real keys made by the same command the Settings page uses. Every endpoint is
 * called without a key, with a revoked and an expired key, with a view key on a write, with
 * another organisation's ids; changes with a stale or missing If-Match; creates replayed with an
 * Idempotency-Key; bodies that are not JSON or too large. Every response of the suite is checked
 * against the generated OpenAPI document. Runs in the browser project because it builds and
 * starts the app; it needs no browser itself. Cyberdyne and Wayne are organisations of their own.
 */

const CYBERDYNE_ADMIN = "admin@cyberdyne.example";
const CYBERDYNE_VIEWER = "viewer@cyberdyne.example";
const CYBERDYNE_OPS = "ops@cyberdyne.example";
const WAYNE_ADMIN = "admin@wayne.example";

const keys = { manage: "", view: "", revoked: "", expired: "", viewerManage: "", wayne: "", unlicensed: "" };
let checker: ResponseChecker;
let document: OpenApiDocument;
const nonConforming: string[] = [];

interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked against the document
}

async function api(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? keys.manage : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${appUrl}/api/v1${path}`, { method, headers, body });
  const text = await response.text();
  const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
  const apiPath = path.split("?", 1)[0]!;
  nonConforming.push(...checker.check(method, apiPath, response.status, response.headers.get("content-type"), parsed));
  return { status: response.status, headers: response.headers, body: parsed };
}

async function auditCount(organizationSlug: string): Promise<number> {
  return getDb().auditEntry.count({ where: { organization: { slug: organizationSlug } } });
}

/** Every routing row of the organisation, as text: equal before and after means nothing changed. */
async function routingDigest(organizationSlug: string): Promise<string> {
  const [row] = await getDb().$queryRaw<{ digest: string }[]>`
    SELECT md5(concat_ws('|',
      (SELECT string_agg(r::text, ',' ORDER BY r.id) FROM routes r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = ${organizationSlug}),
      (SELECT string_agg(q::text, ',' ORDER BY q.id) FROM queues q JOIN organizations o ON o.id = q.organization_id WHERE o.slug = ${organizationSlug}),
      (SELECT string_agg(s::text, ',' ORDER BY s.id) FROM skills s JOIN organizations o ON o.id = s.organization_id WHERE o.slug = ${organizationSlug}),
      (SELECT string_agg(l::text, ',' ORDER BY l.id) FROM languages l JOIN organizations o ON o.id = l.organization_id WHERE o.slug = ${organizationSlug}),
      (SELECT string_agg(d.id::text || d.version, ',' ORDER BY d.id) FROM domains d JOIN organizations o ON o.id = d.organization_id WHERE o.slug = ${organizationSlug})
    )) AS digest`;
  return row!.digest;
}

async function keyFor(email: string, ability: "view" | "manage", name: string): Promise<string> {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  const created = await createApiKey(db, { organizationId: user.organizationId, userId: user.id, email: user.email, permissions: user.permissions.filter(isPermission) }, { name, ability, expiresOn: null });
  return created.secret;
}

// The organisations' routing, made through the API itself in the first test.
const cyberdyne = { domainId: "", queueId: "", spamQueueId: "", skillId: "", languageId: "", routeId: "" };
const wayne = { domainId: "", queueId: "", skillId: "", languageId: "", routeId: "" };

beforeAll(async () => {
  if (!inject("chromium")) return;
  selectDatabase(inject("appDatabaseUrl"));
  const db = getDb();
  await upsertOrganization(db, { slug: "cyberdyne", name: "Cyberdyne", licences: ["Genesys Cloud CX 3"] });
  await upsertOrganization(db, { slug: "wayne", name: "Wayne", licences: ["Genesys Cloud CX 2"] });
  await upsertUser(db, { organizationSlug: "cyberdyne", email: CYBERDYNE_ADMIN, name: "Alice", password: "cyberdyne-admin-password", permissions: ["routing:email:manage"] });
  await upsertUser(db, { organizationSlug: "cyberdyne", email: CYBERDYNE_VIEWER, name: "Vic", password: "cyberdyne-viewer-password", permissions: ["routing:email:view"] });
  await upsertUser(db, { organizationSlug: "wayne", email: WAYNE_ADMIN, name: "Bruce", password: "wayne-admin-password", permissions: ["routing:email:manage"] });
  keys.manage = await keyFor(CYBERDYNE_ADMIN, "manage", "terraform");
  keys.view = await keyFor(CYBERDYNE_ADMIN, "view", "dashboards");
  keys.revoked = await keyFor(CYBERDYNE_ADMIN, "manage", "old-ci");
  keys.expired = await keyFor(CYBERDYNE_ADMIN, "manage", "last-year");
  keys.wayne = await keyFor(WAYNE_ADMIN, "manage", "wayne-ci");
  keys.unlicensed = await keyFor("admin@globex.example", "manage", "globex-ci");
  // A manage key made by someone who may since only view acts as a viewer: the gate narrows by the
  // creator's permissions on every request. (A viewer cannot make a manage key at all.)
  await upsertUser(db, { organizationSlug: "cyberdyne", email: CYBERDYNE_OPS, name: "Olga", password: "cyberdyne-ops-password", permissions: ["routing:email:manage"] });
  keys.viewerManage = await keyFor(CYBERDYNE_OPS, "manage", "ops-tool");
  await upsertUser(db, { organizationSlug: "cyberdyne", email: CYBERDYNE_OPS, name: "Olga", password: "cyberdyne-ops-password", permissions: ["routing:email:view"] });
  await expect(keyFor(CYBERDYNE_VIEWER, "manage", "viewer-tool")).rejects.toThrow(/more than you may do/);
  const admin = await db.user.findUniqueOrThrow({ where: { email: CYBERDYNE_ADMIN } });
  const revoked = await db.apiKey.findFirstOrThrow({ where: { name: "old-ci", organizationId: admin.organizationId } });
  await revokeApiKey(db, { organizationId: admin.organizationId, userId: admin.id, email: admin.email, permissions: admin.permissions.filter(isPermission) }, revoked.id);
  await db.apiKey.updateMany({ where: { name: "last-year", organizationId: admin.organizationId }, data: { expiresAt: new Date(Date.now() - 60_000) } });

  document = (await (await fetch(`${appUrl}/api/v1/openapi.json`)).json()) as OpenApiDocument;
  checker = new ResponseChecker(document);
});

afterAll(async () => {
  await disconnectDb();
});

describeInBrowser("Automation API /api/v1", () => {
  it("serves an OpenAPI 3.1 document that the OpenAPI 3.1 schema accepts, generated from the zod schemas", async () => {
    expect(document.openapi).toBe("3.1.0");
    expect(await openApiSchemaErrors(document)).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/domains", "/domains/{id}", "/domains/{id}/checks", "/routes", "/routes/{id}", "/queues/{id}", "/skills/{id}", "/languages/{id}", "/route-tests", "/messages", "/messages/{id}"]),
    );
    // The create body is the Routes form's schema: its rules show in the document.
    const createRoute = document.paths["/routes"]!.post as unknown as { requestBody: { content: { "application/json": { schema: { required: string[] } } } } };
    expect(createRoute.requestBody.content["application/json"].schema.required).toEqual(expect.arrayContaining(["domainId", "pattern", "queueId", "fromName"]));
  });

  it("builds an organisation's routing over the API: a platform domain, catalogues and a route, each audited as the key", async () => {
    const domain = await api("POST", "/domains", { body: { kind: "platform", scenario: "platform_domain", label: "cyberdyne-api" } });
    expect(domain.status).toBe(201);
    expect(domain.body.status).toBe("verified");
    expect(domain.headers.get("etag")).toBe(`"${domain.body.version}"`);
    expect(domain.headers.get("location")).toBe(`/api/v1/domains/${domain.body.id}`);
    cyberdyne.domainId = domain.body.id;

    const queue = await api("POST", "/queues", { body: { name: "Support", description: "First line" } });
    expect(queue.status).toBe(201);
    cyberdyne.queueId = queue.body.id;
    cyberdyne.spamQueueId = (await api("POST", "/queues", { body: { name: "Spam" } })).body.id;
    cyberdyne.skillId = (await api("POST", "/skills", { body: { name: "Billing" } })).body.id;
    cyberdyne.languageId = (await api("POST", "/languages", { body: { name: "English" } })).body.id;

    const route = await api("POST", "/routes", {
      body: {
        domainId: cyberdyne.domainId,
        pattern: "Support",
        queueId: cyberdyne.queueId,
        fromName: "Cyberdyne Support",
        skillIds: [cyberdyne.skillId],
        languageId: cyberdyne.languageId,
        spamQueueId: cyberdyne.spamQueueId,
      },
    });
    expect(route.status).toBe(201);
    expect(route.body).toMatchObject({ address: "Support@cyberdyne-api.routing.platform.test", queueName: "Support", skillNames: ["Billing"], priority: 5, version: 1 });
    expect(route.headers.get("etag")).toBe('"1"');
    cyberdyne.routeId = route.body.id;

    const entries = await getDb().auditEntry.findMany({ where: { organization: { slug: "cyberdyne" }, entityType: { in: ["domain", "queue", "skill", "language", "route"] } }, orderBy: { id: "asc" } });
    expect(entries.map((entry) => entry.action)).toEqual(["domain.register", "queue.create", "queue.create", "skill.create", "language.create", "route.create"]);
    const terraform = await getDb().apiKey.findFirstOrThrow({ where: { name: "terraform", organization: { slug: "cyberdyne" } } });
    expect(new Set(entries.map((entry) => entry.actorEmail))).toEqual(new Set([`API key terraform (${terraform.prefix})`]));
    expect(terraform.lastUsedAt).not.toBeNull();

    // Wayne's routing, for the cross-organisation refusals.
    wayne.domainId = (await api("POST", "/domains", { key: keys.wayne, body: { kind: "platform", scenario: "platform_domain", label: "wayne-api" } })).body.id;
    wayne.queueId = (await api("POST", "/queues", { key: keys.wayne, body: { name: "Cave" } })).body.id;
    wayne.skillId = (await api("POST", "/skills", { key: keys.wayne, body: { name: "Detective" } })).body.id;
    wayne.languageId = (await api("POST", "/languages", { key: keys.wayne, body: { name: "Gotham" } })).body.id;
    const wayneRoute = await api("POST", "/routes", { key: keys.wayne, body: { domainId: wayne.domainId, pattern: "alfred", queueId: wayne.queueId, fromName: "Wayne" } });
    expect(wayneRoute.status).toBe(201);
    wayne.routeId = wayneRoute.body.id;
  });

  /** Every endpoint, with a request its organisation's manage key gets accepted. */
  function endpoints() {
    const u = cyberdyne;
    return [
      { method: "GET", path: "/domains" },
      { method: "POST", path: "/domains", body: { kind: "platform", scenario: "platform_domain", label: "cyberdyne-two" } },
      { method: "GET", path: `/domains/${u.domainId}`, own: "domain" },
      { method: "POST", path: `/domains/${u.domainId}/checks`, own: "domain" },
      { method: "DELETE", path: `/domains/${u.domainId}`, own: "domain" },
      { method: "GET", path: "/routes" },
      { method: "POST", path: "/routes", body: { domainId: u.domainId, pattern: "sales", queueId: u.queueId, fromName: "Sales" } },
      { method: "GET", path: `/routes/${u.routeId}`, own: "route" },
      { method: "PATCH", path: `/routes/${u.routeId}`, own: "route", body: { priority: 7 } },
      { method: "DELETE", path: `/routes/${u.routeId}`, own: "route" },
      ...(["queue", "skill", "language"] as const).flatMap((kind) => {
        const id = { queue: u.queueId, skill: u.skillId, language: u.languageId }[kind];
        return [
          { method: "GET", path: `/${kind}s` },
          { method: "POST", path: `/${kind}s`, body: { name: `New ${kind}` } },
          { method: "GET", path: `/${kind}s/${id}`, own: kind },
          { method: "PATCH", path: `/${kind}s/${id}`, own: kind, body: { name: `Renamed ${kind}` } },
          { method: "DELETE", path: `/${kind}s/${id}`, own: kind },
        ];
      }),
      { method: "POST", path: "/route-tests", body: { address: "support@cyberdyne-api.routing.platform.test" }, reads: true },
      { method: "GET", path: "/messages" },
      { method: "GET", path: `/messages/${randomUUID()}` },
      { method: "GET", path: "/configuration" },
      { method: "POST", path: "/configuration/plan", body: { format: CONFIGURATION_FORMAT } },
      { method: "POST", path: "/configuration/apply", body: { basedOn: "0".repeat(64), configuration: { format: CONFIGURATION_FORMAT } } },
    ] as { method: string; path: string; body?: unknown; own?: "domain" | "route" | "queue" | "skill" | "language"; reads?: boolean }[];
  }

  it("refuses every endpoint without a key, with an unknown, revoked or expired key (401), and changes nothing", async () => {
    const before = [await routingDigest("cyberdyne"), await auditCount("cyberdyne")];
    const unknown = `${keys.manage.slice(0, 17)}${"A".repeat(43)}`;
    for (const endpoint of endpoints()) {
      for (const [label, key] of [["none", null], ["unknown", unknown], ["garbage", "not-a-key"], ["revoked", keys.revoked], ["expired", keys.expired]] as const) {
        const answer = await api(endpoint.method, endpoint.path, { key, body: endpoint.body, headers: { "if-match": '"1"' } });
        expect(answer.status, `${endpoint.method} ${endpoint.path} with ${label} key`).toBe(401);
        expect(answer.headers.get("content-type")).toBe("application/problem+json");
        expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
    }
    const revoked = await api("GET", "/routes", { key: keys.revoked });
    expect(revoked.body).toMatchObject({ status: 401, title: "Authentication required", type: expect.stringMatching(/^urn:/) });
    expect(revoked.body.detail).toMatch(/revoked/);
    expect((await api("GET", "/routes", { key: keys.expired })).body.detail).toMatch(/expired/);
    expect([await routingDigest("cyberdyne"), await auditCount("cyberdyne")]).toEqual(before);
  });

  it("refuses every write to a view key and to a manage key whose creator may now only view (403), and changes nothing; reads succeed", async () => {
    const before = [await routingDigest("cyberdyne"), await auditCount("cyberdyne")];
    for (const endpoint of endpoints()) {
      for (const key of [keys.view, keys.viewerManage]) {
        const answer = await api(endpoint.method, endpoint.path, { key, body: endpoint.body, headers: { "if-match": '"1"', "idempotency-key": randomUUID() } });
        const write = endpoint.method !== "GET" && !endpoint.reads;
        if (write) {
          expect(answer.status, `${endpoint.method} ${endpoint.path}`).toBe(403);
          expect(answer.body.detail).toContain("routing:email:manage");
        } else {
          expect(answer.status, `${endpoint.method} ${endpoint.path}`).toBe(endpoint.path.startsWith("/messages/") ? 404 : 200);
        }
      }
    }
    expect([await routingDigest("cyberdyne"), await auditCount("cyberdyne")]).toEqual(before);
  });

  it("refuses an organisation whose licence does not include email routing (403)", async () => {
    const answer = await api("GET", "/routes", { key: keys.unlicensed });
    expect(answer.status).toBe(403);
    expect(answer.body.title).toBe("Licence required");
  });

  it("answers another organisation's ids as not found (404) on every endpoint that takes one, and changes nothing", async () => {
    const before = [await routingDigest("cyberdyne"), await routingDigest("wayne"), await auditCount("cyberdyne"), await auditCount("wayne")];
    for (const endpoint of endpoints().filter((candidate) => candidate.own)) {
      const answer = await api(endpoint.method, endpoint.path, { key: keys.wayne, body: endpoint.body, headers: { "if-match": '"1"' } });
      expect(answer.status, `${endpoint.method} ${endpoint.path}`).toBe(404);
    }
    // Wayne's ids inside Cyberdyne's bodies are field errors, as in the console's forms.
    const borrowed = await api("POST", "/routes", { body: { domainId: wayne.domainId, pattern: "borrowed", queueId: wayne.queueId, fromName: "Borrowed", skillIds: [wayne.skillId] } });
    expect(borrowed.status).toBe(422);
    expect(Object.keys(borrowed.body.errors)).toEqual(expect.arrayContaining(["domainId"]));
    const borrowedQueue = await api("PATCH", `/routes/${cyberdyne.routeId}`, { body: { queueId: wayne.queueId, languageId: wayne.languageId }, headers: { "if-match": '"1"' } });
    expect(borrowedQueue.status).toBe(422);
    expect(Object.keys(borrowedQueue.body.errors).sort()).toEqual(["languageId", "queueId"]);
    // Nor does a filter reach Wayne's rows.
    const filtered = await api("GET", `/routes?domain=${wayne.domainId}`);
    expect(filtered.body.items).toEqual([]);
    expect([await routingDigest("cyberdyne"), await routingDigest("wayne"), await auditCount("cyberdyne"), await auditCount("wayne")]).toEqual(before);
  });

  it("requires If-Match on every change and delete (428), and refuses a stale one with 412 and the current representation", async () => {
    const before = [await routingDigest("cyberdyne"), await auditCount("cyberdyne")];
    for (const endpoint of endpoints().filter((candidate) => candidate.method === "PATCH" || candidate.method === "DELETE")) {
      const missing = await api(endpoint.method, endpoint.path, { body: endpoint.body });
      expect(missing.status, `${endpoint.method} ${endpoint.path} without If-Match`).toBe(428);
      const current = await api("GET", endpoint.path);
      const stale = await api(endpoint.method, endpoint.path, { body: endpoint.body, headers: { "if-match": `"${current.body.version + 5}"` } });
      expect(stale.status, `${endpoint.method} ${endpoint.path} with a stale If-Match`).toBe(412);
      expect(stale.body.current).toEqual(current.body);
      expect(stale.headers.get("etag")).toBe(`"${current.body.version}"`);
    }
    expect([await routingDigest("cyberdyne"), await auditCount("cyberdyne")]).toEqual(before);

    // A change based on the current version goes through, and the next one must name the new version.
    const changed = await api("PATCH", `/routes/${cyberdyne.routeId}`, { body: { priority: 8 }, headers: { "if-match": '"1"' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ priority: 8, version: 2, skillNames: ["Billing"], fromName: "Cyberdyne Support" });
    expect(changed.headers.get("etag")).toBe('"2"');
    const again = await api("PATCH", `/routes/${cyberdyne.routeId}`, { body: { priority: 9 }, headers: { "if-match": '"1"' } });
    expect(again.status).toBe(412);
    expect(again.body.current).toMatchObject({ priority: 8, version: 2 });
    const invalid = await api("PATCH", `/routes/${cyberdyne.routeId}`, { body: { priority: 11, fromEmail: "not an address" }, headers: { "if-match": '"2"' } });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.body.errors).sort()).toEqual(["fromEmail", "priority"]);
  });

  it("answers a create retried with the same Idempotency-Key with the first result, never a duplicate", async () => {
    for (const [path, body, count] of [
      ["/routes", { domainId: cyberdyne.domainId, pattern: "billing", queueId: cyberdyne.queueId, fromName: "Billing" }, () => getDb().route.count({ where: { pattern: "billing", organization: { slug: "cyberdyne" } } })],
      ["/queues", { name: "Returns" }, () => getDb().queue.count({ where: { name: "Returns", organization: { slug: "cyberdyne" } } })],
      ["/skills", { name: "Refunds" }, () => getDb().skill.count({ where: { name: "Refunds", organization: { slug: "cyberdyne" } } })],
      ["/languages", { name: "French" }, () => getDb().language.count({ where: { name: "French", organization: { slug: "cyberdyne" } } })],
      ["/domains", { kind: "platform", scenario: "platform_domain", label: "cyberdyne-retry" }, () => getDb().domain.count({ where: { platformLabel: "cyberdyne-retry" } })],
    ] as const) {
      const idempotencyKey = randomUUID();
      const first = await api("POST", path, { body, headers: { "idempotency-key": idempotencyKey } });
      expect(first.status, path).toBe(201);
      const retry = await api("POST", path, { body, headers: { "idempotency-key": idempotencyKey } });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get("idempotency-replayed")).toBe("true");
      expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
      expect(retry.headers.get("location")).toBe(first.headers.get("location"));
      expect(await count()).toBe(1);
      // The same key for another request is refused rather than answered with the wrong result.
      const misuse = await api("POST", path, { body: { ...body, name: "Other", pattern: "other", label: "cyberdyne-other" }, headers: { "idempotency-key": idempotencyKey } });
      expect(misuse.status).toBe(422);
      expect(misuse.body.title).toBe("Idempotency key reused");
      // Without a key, the same body is a second request: a duplicate is a conflict.
      expect((await api("POST", path, { body })).status).toBe(409);
    }
  });

  it("refuses bodies that are not JSON (400), not declared JSON (415) or too large (413), with problem details and nothing changed", async () => {
    const before = [await routingDigest("cyberdyne"), await auditCount("cyberdyne")];
    for (const endpoint of endpoints().filter((candidate) => candidate.body !== undefined)) {
      const headers = { "if-match": '"1"' };
      const bad = await api(endpoint.method, endpoint.path, { raw: '{"name": "unterminated', headers });
      expect(bad.status, `${endpoint.method} ${endpoint.path} bad JSON`).toBe(400);
      expect(bad.body.title).toBe("Malformed request");
      const form = await api(endpoint.method, endpoint.path, { raw: "name=x", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" } });
      expect(form.status).toBe(415);
      // A whole configuration may be as large as a route import file (20 MB): sending that much with
      // fetch can end in EPIPE when the server answers 413 early, so its limit is checked in tests/unit/http.test.ts.
      if (endpoint.path.startsWith("/configuration/")) continue;
      const huge = await api(endpoint.method, endpoint.path, { raw: JSON.stringify({ name: "x".repeat(256 * 1024 + 10) }), headers });
      expect(huge.status, `${endpoint.method} ${endpoint.path} oversized`).toBe(413);
      expect(huge.headers.get("content-type")).toBe("application/problem+json");
      expect(huge.body).toMatchObject({ status: 413, title: "Request too large" });
    }
    const invalid = await api("POST", "/routes", { body: { pattern: "a b", fromName: "" } });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ status: 422, title: "Validation failed" });
    expect(Object.keys(invalid.body.errors)).toEqual(expect.arrayContaining(["domainId", "pattern", "queueId", "fromName"]));
    expect(JSON.stringify(invalid.body)).not.toMatch(/prisma|stack|at \w+ \(/i);
    expect([await routingDigest("cyberdyne"), await auditCount("cyberdyne")]).toEqual(before);
  });

  it("pages routes by cursor with filters, tests an address, and lists messages", async () => {
    for (const pattern of ["alpha", "bravo", "charlie", "delta", "echo"]) {
      expect((await api("POST", "/routes", { body: { domainId: cyberdyne.domainId, pattern, queueId: cyberdyne.spamQueueId, fromName: "Paging" } })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await api("GET", `/routes?queue=${cyberdyne.spamQueueId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((route: { pattern: string }) => route.pattern));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
    const searched = await api("GET", "/routes?q=charl");
    expect(searched.body.items.map((route: { pattern: string }) => route.pattern)).toEqual(["charlie"]);
    expect((await api("GET", "/routes?limit=0")).status).toBe(422);
    expect((await api("GET", "/routes?cursor=%%%")).status).toBe(422);

    const tested = await api("POST", "/route-tests", { key: keys.view, body: { address: "Charlie@cyberdyne-api.routing.platform.test" } });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ outcome: "routed", route: { address: "charlie@cyberdyne-api.routing.platform.test", queueName: "Spam" } });

    const messages = await api("GET", "/messages?limit=10", { key: keys.view });
    expect(messages.status).toBe(200);
    expect(messages.body).toMatchObject({ items: [], nextCursor: null });
  });

  it("exports the whole configuration, plans changes without making them, and applies them all or nothing", async () => {
    const wayneKey = { key: keys.wayne };
    const exported = await api("GET", "/configuration", wayneKey);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("etag")).toBe(`"${exported.body.revision}"`);
    expect(exported.body).toMatchObject({
      format: CONFIGURATION_FORMAT,
      queues: [{ name: "Cave", description: "" }],
      skills: [{ name: "Detective" }],
      languages: [{ name: "Gotham" }],
      routes: [{ address: "alfred@wayne-api.routing.platform.test", queue: "Cave", fromName: "Wayne", replyFrom: null }],
    });

    const desired = {
      ...exported.body,
      queues: [...exported.body.queues, { name: "Batcave", description: "Secret" }],
      skills: [{ name: "Gadgets" }],
      routes: [
        { ...exported.body.routes[0], queue: "Batcave", skills: ["Gadgets"] },
        { address: "robin@wayne-api.routing.platform.test", queue: "Cave", fromName: "Robin", replyFrom: "alfred@wayne-api.routing.platform.test" },
      ],
    };
    const before = [await routingDigest("wayne"), await auditCount("wayne")];
    const plan = await api("POST", "/configuration/plan", { ...wayneKey, body: desired });
    expect(plan.status).toBe(200);
    expect(plan.body.basedOn).toBe(exported.body.revision);
    expect(plan.body.summary).toEqual({ create: 3, update: 1, delete: 1 });
    expect(plan.body.changes.map((change: { action: string; type: string; key: string }) => `${change.action} ${change.type} ${change.key}`).sort()).toEqual([
      "create queue Batcave",
      "create route robin@wayne-api.routing.platform.test",
      "create skill Gadgets",
      "delete skill Detective",
      "update route alfred@wayne-api.routing.platform.test",
    ]);
    expect([await routingDigest("wayne"), await auditCount("wayne")]).toEqual(before);

    // Someone changes the configuration after the plan: the apply is refused and changes nothing.
    expect((await api("POST", "/queues", { ...wayneKey, body: { name: "Intruder" } })).status).toBe(201);
    const changed = [await routingDigest("wayne"), await auditCount("wayne")];
    const stale = await api("POST", "/configuration/apply", { ...wayneKey, body: { basedOn: plan.body.basedOn, configuration: desired } });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toMatch(/changed since this plan/);
    expect([await routingDigest("wayne"), await auditCount("wayne")]).toEqual(changed);

    // One invalid route among valid changes: nothing at all is applied.
    const replan = await api("POST", "/configuration/plan", { ...wayneKey, body: desired });
    expect(replan.body.summary).toEqual({ create: 3, update: 1, delete: 2 });
    const broken = { ...desired, routes: [...desired.routes, { address: "oracle@wayne-api.routing.platform.test", queue: "Cave", fromName: "" }] };
    const refused = await api("POST", "/configuration/apply", { ...wayneKey, body: { basedOn: replan.body.basedOn, configuration: broken } });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.errors)).toEqual(["oracle@wayne-api.routing.platform.test.fromName"]);
    expect([await routingDigest("wayne"), await auditCount("wayne")]).toEqual(changed);

    const applied = await api("POST", "/configuration/apply", { ...wayneKey, body: { basedOn: replan.body.basedOn, configuration: desired } });
    expect(applied.status).toBe(200);
    expect(applied.body.summary).toEqual({ create: 3, update: 1, delete: 2 });
    const after = await api("GET", "/configuration", wayneKey);
    expect(after.body).toMatchObject({
      queues: [{ name: "Batcave", description: "Secret" }, { name: "Cave" }],
      skills: [{ name: "Gadgets" }],
      routes: [
        { address: "alfred@wayne-api.routing.platform.test", queue: "Batcave", skills: ["Gadgets"] },
        { address: "robin@wayne-api.routing.platform.test", queue: "Cave", replyFrom: "alfred@wayne-api.routing.platform.test" },
      ],
    });
    // Applying the same document again changes nothing.
    expect((await api("POST", "/configuration/plan", { ...wayneKey, body: desired })).body.summary).toEqual({ create: 0, update: 0, delete: 0 });
    const audit = await getDb().auditEntry.findMany({ where: { organization: { slug: "wayne" } }, orderBy: { id: "desc" }, take: 1 });
    expect(audit[0]).toMatchObject({ action: "configuration.apply", actorEmail: expect.stringMatching(/^API key wayne-ci /) });
  });

  it("deletes with the current If-Match, refuses a catalogue entry still in use, and records each delete as the key", async () => {
    const route = await api("GET", `/routes/${cyberdyne.routeId}`);
    const inUse = await api("DELETE", `/skills/${cyberdyne.skillId}`, { headers: { "if-match": '"1"' } });
    expect(inUse.status).toBe(409);
    expect(inUse.body.detail).toContain("Support@cyberdyne-api.routing.platform.test");
    const deleted = await api("DELETE", `/routes/${cyberdyne.routeId}`, { headers: { "if-match": route.headers.get("etag")! } });
    expect(deleted.status).toBe(204);
    expect((await api("GET", `/routes/${cyberdyne.routeId}`)).status).toBe(404);
    expect((await api("DELETE", `/skills/${cyberdyne.skillId}`, { headers: { "if-match": '"1"' } })).status).toBe(204);
    const domain = await api("GET", `/domains/${cyberdyne.domainId}`);
    const refused = await api("DELETE", `/domains/${cyberdyne.domainId}`, { headers: { "if-match": domain.headers.get("etag")! } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toHaveProperty("deleteRoutes");
    expect((await api("DELETE", `/domains/${cyberdyne.domainId}?deleteRoutes=true`, { headers: { "if-match": domain.headers.get("etag")! } })).status).toBe(204);
    const last = await getDb().auditEntry.findMany({ where: { organization: { slug: "cyberdyne" } }, orderBy: { id: "desc" }, take: 3 });
    expect(last.map((entry) => entry.action)).toEqual(["domain.delete", "skill.delete", "route.delete"]);
    expect(last.every((entry) => entry.actorEmail.startsWith("API key terraform"))).toBe(true);
  });

  it("limits each key's requests per minute in PostgreSQL: 429 with Retry-After", async () => {
    const db = getDb();
    const key = await keyFor(CYBERDYNE_ADMIN, "view", "busy-bot");
    const row = await db.apiKey.findFirstOrThrow({ where: { name: "busy-bot" } });
    // This minute and the next are already at the limit (600 by default), whichever the request lands in.
    await db.$executeRaw`
      INSERT INTO api_rate_counters (api_key_id, window_start, hits)
      SELECT ${row.id}::uuid, date_trunc('minute', now()) + make_interval(mins => n), 600 FROM generate_series(0, 1) AS n`;
    const limited = await api("GET", "/queues", { key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    // Other keys are counted apart.
    expect((await api("GET", "/queues", { key: keys.view })).status).toBe(200);
  });

  it("checked every response of this suite against the OpenAPI document", () => {
    expect(nonConforming).toEqual([]);
    const statuses = new Set(checker.checked.map((entry) => entry.split(" ")[2]));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(["200", "201", "204", "400", "401", "403", "404", "409", "412", "413", "415", "422", "428", "429"]));
  });
});

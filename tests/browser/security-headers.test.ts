import http from "node:http";

import type { Request as BrowserRequest } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";

import { appUrl, describeInBrowser, newClient, setUpBrowser, signIn, signOut } from "../support/browser";
import { signInOverHttp } from "../support/http-auth";
import { startTestApp, type TestApp } from "../support/test-app";

/**
 * The headers a browser enforces, checked in Chromium against the built console: a
 * Content-Security-Policy whose nonce is on every script Next renders (and nothing else runs), no
 * framing, no sniffing, HSTS when the console is reached over https; and, with TRUST_PROXY off, a
 * client's X-Forwarded-Host never makes another site count as the console's own origin.
 */
const browser = setUpBrowser();
let untrusted: TestApp | undefined;
let overHttps: TestApp | undefined;
// An organisation of its own in the shared console, so the queue created here shows up nowhere else.
const ADMIN = { email: "admin@csp.example", password: "csp-admin-password" };

beforeAll(async () => {
  if (!inject("chromium")) return;
  selectDatabase(inject("appDatabaseUrl"));
  await upsertOrganization(getDb(), { slug: "csp", name: "CSP Check", licences: ["Genesys Cloud CX 3"] });
  await upsertUser(getDb(), { organizationSlug: "csp", name: "CSP Admin", permissions: ["routing:email:manage"], ...ADMIN });
  await disconnectDb();
  [untrusted, overHttps] = await Promise.all([
    startTestApp(inject("pgAdminUrl"), { TRUST_PROXY: "false" }),
    startTestApp(inject("pgAdminUrl"), { NEXTAUTH_URL: "https://console.test" }),
  ]);
});

afterAll(async () => {
  await disconnectDb();
  await Promise.all([untrusted?.stop(), overHttps?.stop()]);
});

function nonceOf(policy: string | null): string {
  const nonce = /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
  if (!nonce) throw new Error(`no nonce in ${policy}`);
  return nonce;
}

describeInBrowser("content security policy", () => {
  it("runs only scripts carrying the page's nonce, and nothing is blocked while an admin signs in and works", async () => {
    const { context, page } = await newClient(browser());
    const violations: string[] = [];
    await context.exposeBinding("reportViolation", (_source, text: string) => void violations.push(text));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        const report = (window as unknown as { reportViolation(text: string): void }).reportViolation;
        report(`${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
      });
    });
    const consoleProblems: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) consoleProblems.push(message.text());
    });
    page.on("pageerror", (error) => consoleProblems.push(error.message));

    const signInPage = await page.goto("/signin");
    const policy = await signInPage!.headerValue("content-security-policy");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("'strict-dynamic'");
    const nonce = nonceOf(policy);
    const html = await signInPage!.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    // A fresh nonce for every response.
    const again = await context.request.get("/signin");
    expect(nonceOf(again.headers()["content-security-policy"] ?? null)).not.toBe(nonce);

    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    // Client-side navigation, a client component (the menu) and a server action all work.
    const nav = page.getByRole("navigation", { name: "Main" }).first();
    for (const [link, heading] of [["Domains", "Domains"], ["Routes", "Routes"], ["Audit log", "Audit log"], ["Queues", "Queues"]] as const) {
      await nav.getByRole("link", { name: link }).click();
      await page.getByRole("heading", { name: heading, exact: true }).first().waitFor();
    }
    await page.getByRole("button", { name: "New queue" }).first().click();
    await page.getByRole("dialog").getByLabel("Name").fill("Under CSP");
    await page.getByRole("dialog").getByRole("button", { name: "Create queue" }).click();
    await page.getByRole("cell", { name: "Under CSP", exact: true }).waitFor();
    await signOut(page);
    await page.getByRole("button", { name: "Sign in" }).waitFor();

    expect(violations).toEqual([]);
    expect(consoleProblems).toEqual([]);
    await context.close();
  });

  it("gives API answers a policy of their own, and every answer the other security headers", async () => {
    for (const path of ["/signin", "/api/health", "/api/auth/session", "/api/routes"]) {
      const response = await fetch(`${appUrl}${path}`, { redirect: "manual" });
      const headers = response.headers;
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(headers.get("referrer-policy"), path).toBe("same-origin");
      expect(headers.get("x-frame-options"), path).toBe("DENY");
      expect(headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      // The console under test is reached over plain http: no HSTS.
      expect(headers.get("strict-transport-security"), path).toBeNull();
      if (path.startsWith("/api/")) expect(headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it("asks browsers to keep to https when the console's URL is https", async () => {
    for (const path of ["/signin", "/api/health"]) {
      const response = await fetch(`${overHttps!.url}${path}`, { redirect: "manual" });
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=31536000; includeSubDomains");
    }
  });
});

/** A raw request, so Origin and X-Forwarded-Host go out exactly as given. */
function send(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers: options.headers }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

describeInBrowser("X-Forwarded-Host without a trusted proxy", () => {
  it("does not let another site run a server action by naming itself in X-Forwarded-Host", async () => {
    const app = untrusted!;
    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.goto("/queues");
    // The request the page makes when an admin creates a queue, to be sent again by hand.
    const captured = new Promise<BrowserRequest>((resolve) => {
      page.on("request", (request) => {
        if (request.method() === "POST" && request.headers()["next-action"]) resolve(request);
      });
    });
    await page.getByRole("button", { name: "New queue" }).first().click();
    await page.getByRole("dialog").getByLabel("Name").fill("Captured");
    await page.getByRole("dialog").getByRole("button", { name: "Create queue" }).click();
    const action = await captured;
    await page.getByRole("cell", { name: "Captured", exact: true }).waitFor();
    const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join("; ");
    const replay = (name: string, extra: Record<string, string>) =>
      send(action.url(), {
        method: "POST",
        headers: {
          "content-type": action.headers()["content-type"] ?? "text/plain;charset=UTF-8",
          accept: "text/x-component",
          "next-action": action.headers()["next-action"]!,
          "next-router-state-tree": action.headers()["next-router-state-tree"] ?? "",
          cookie,
          ...extra,
        },
        body: action.postData()!.replace("Captured", name),
      });

    const forged = await replay("Forged", { origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect(forged.status).not.toBe(200);
    // The same request from the console's own origin goes through: the refusal above is about the origin.
    const genuine = await replay("Replayed", { origin: new URL(app.url).origin });
    expect(genuine.status).toBe(200);

    selectDatabase(app.databaseUrl);
    const names = (await getDb().queue.findMany({ select: { name: true } })).map((queue) => queue.name);
    expect(names).toContain("Replayed");
    expect(names).not.toContain("Forged");
    await disconnectDb();
    await context.close();
  });

  it("does not let another site post a route import by naming itself in X-Forwarded-Host", async () => {
    const app = untrusted!;
    const { session } = await signInOverHttp(app.url, { email: "admin@acme.example", password: "acme-admin-password" }, "127.0.0.1");
    const importCsv = (headers: Record<string, string>) =>
      send(`${app.url}/api/routes/import?mode=preview`, {
        method: "POST",
        headers: { "content-type": "text/csv", cookie: session!, ...headers },
        body: "domain,pattern,queue\n",
      });
    const forged = await importCsv({ origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body)).toMatchObject({ ok: false, code: "permission_required" });
    const genuine = await importCsv({ origin: new URL(app.url).origin });
    expect(genuine.status).toBe(200);
  });
});

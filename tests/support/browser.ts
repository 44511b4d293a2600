import { mkdir } from "node:fs/promises";
import path from "node:path";

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { disconnectDb, getDb, selectDatabase, type Database } from "@/lib/db/client";

import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";
import { startMailTestApp, type TestApp } from "./test-app";

export const appUrl = inject("appUrl");
const available = inject("chromium");

/** `describe` for browser tests: skipped (loudly, by global setup) when Chromium is missing. */
export const describeInBrowser = available ? describe : describe.skip;

let browser: Browser | undefined;
let clientCounter = 0;

/** A browser profile's cookies and local storage, as Playwright saves them. */
type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

export function setUpBrowser(): () => Browser {
  beforeAll(async () => {
    if (!available) return;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("browser not started");
    return browser;
  };
}

/**
 * A fresh browser profile that the console sees as a distinct client address (the test server
 * trusts X-Forwarded-For), so one test's failed sign-ins never lock out another.
 */
export async function newClient(
  browserInstance: Browser,
  viewport = { width: 1280, height: 800 },
  baseURL = appUrl,
  storageState?: StorageState,
): Promise<{ context: BrowserContext; page: Page }> {
  clientCounter += 1;
  const context = await browserInstance.newContext({
    baseURL,
    viewport,
    storageState,
    extraHTTPHeaders: { "x-forwarded-for": `10.${process.pid % 250}.${Math.floor(clientCounter / 250)}.${clientCounter % 250}` },
  });
  return { context, page: await context.newPage() };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  if (!page.url().includes("/signin")) await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect.poll(() => page.url(), { timeout: 15_000 }).not.toContain("/signin");
}

/**
 * Signs out through the account menu. A click that lands before the page has hydrated opens
 * nothing, so the menu button is clicked again (a few times at most) until "Sign out" shows.
 */
export async function signOut(page: Page): Promise<void> {
  const item = page.getByRole("menuitem", { name: "Sign out" });
  for (let attempt = 0; attempt < 5 && !(await item.isVisible()); attempt++) {
    await page.getByRole("button", { name: /Account menu/ }).click();
    await item.waitFor({ timeout: 3_000 }).catch(() => undefined);
  }
  await item.click();
  await expect.poll(() => new URL(page.url()).pathname).toBe("/signin");
}

/** Saved under test-results/screenshots (ignored by git) for a reviewer to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve("test-results/screenshots");
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export interface Account {
  email: string;
  password: string;
}

/** Cookies of a session already signed in through the form, per console and account (see signedInClient). */
const sessions = new Map<string, StorageState>();

/**
 * A fresh browser profile (its own client address) signed in as `account`, on the overview page.
 * The first one per console and account signs in through the form; later ones start with that
 * session's cookies, as a returning browser would, and sign in again only if the session has
 * ended (a test signed it out). Tests of signing in itself use `signIn`.
 */
export async function signedInClient(
  browserInstance: Browser,
  account: Account,
  viewport?: { width: number; height: number },
  baseURL = appUrl,
): Promise<{ context: BrowserContext; page: Page }> {
  const key = `${baseURL} ${account.email}`;
  const saved = sessions.get(key);
  const client = await newClient(browserInstance, viewport, baseURL, saved);
  if (saved) {
    await client.page.goto("/");
    if (!new URL(client.page.url()).pathname.startsWith("/signin")) return client;
  }
  await signIn(client.page, account.email, account.password);
  sessions.set(key, await client.context.storageState());
  return client;
}

export interface OwnOrganizationOptions {
  slug: string;
  name: string;
  admins: Account[];
  domains?: string[];
  queues?: string[];
}

export interface OwnOrganization {
  organizationId: string;
  userIds: string[];
  domainIds: string[];
  queueIds: Record<string, string>;
}

/**
 * An organisation of the test's own, licensed, with administrators who may manage routing: what
 * a browser test changes there, no other test file sees (the demo organisation Acme is shared).
 */
export async function ownOrganization(
  db: Database,
  { slug, name, admins, domains = [], queues = [] }: OwnOrganizationOptions,
): Promise<OwnOrganization> {
  const organization = await upsertOrganization(db, { slug, name, licences: ["Genesys Cloud CX 3 Digital"] });
  const organizationId = organization.id;
  const userIds: string[] = [];
  for (const admin of admins) {
    const user = await upsertUser(db, { organizationSlug: slug, email: admin.email, name: `${name} Admin`, password: admin.password, permissions: ["routing:email:manage"] });
    userIds.push(user.id);
  }
  // Verified own domains (scenario 1), as if their records had been checked.
  const domainIds: string[] = [];
  for (const domain of domains) {
    const created = await db.domain.create({
      data: { organizationId, name: domain, displayName: domain, kind: "custom", scenario: "own_domain", status: "verified", verifiedAt: new Date() },
    });
    domainIds.push(created.id);
  }
  const queueIds: Record<string, string> = {};
  for (const queue of queues) queueIds[queue] = (await db.queue.create({ data: { organizationId, name: queue, nameKey: queue.toLowerCase() } })).id;
  return { organizationId, userIds, domainIds, queueIds };
}

/**
 * The file's own organisation (see ownOrganization), made in the console's database before its
 * tests when Chromium is there, then `andThen` for the rows the file needs besides; the database
 * is let go after the tests. The object returned is filled in once the organisation exists.
 */
export function setUpOwnOrganization(options: OwnOrganizationOptions, andThen?: (db: Database, own: OwnOrganization) => Promise<void>): OwnOrganization {
  const own: OwnOrganization = { organizationId: "", userIds: [], domainIds: [], queueIds: {} };
  beforeAll(async () => {
    if (!available) return;
    selectDatabase(inject("appDatabaseUrl"));
    const db = getDb();
    Object.assign(own, await ownOrganization(db, options));
    await andThen?.(db, own);
  });
  afterAll(async () => {
    await disconnectDb();
  });
  return own;
}

/**
 * A console of the file's own that takes mail (see startMailTestApp), started before its tests
 * when Chromium is there, then `andThen` for what the file needs besides; stopped after the tests.
 * Returns the app, once started.
 */
export function setUpMailTestApp(andThen?: (app: TestApp) => Promise<void>): () => TestApp {
  let mailApp: Awaited<ReturnType<typeof startMailTestApp>> | undefined;
  beforeAll(async () => {
    if (!available) return;
    mailApp = await startMailTestApp(inject("pgAdminUrl"));
    await andThen?.(mailApp.app);
  });
  afterAll(async () => {
    await mailApp?.stop();
  });
  return () => {
    if (!mailApp) throw new Error("mail test app not started");
    return mailApp.app;
  };
}

/**
 * Makes every server action call of `page` fail as a dropped connection does (the request never
 * reaches the console), until the returned function is called.
 */
export async function dropActionCalls(page: Page): Promise<() => Promise<void>> {
  const handler = (route: Parameters<Parameters<Page["route"]>[1]>[0]) =>
    route.request().method() === "POST" && route.request().headers()["next-action"] ? route.abort("internetdisconnected") : route.fallback();
  await page.route("**/*", handler);
  return () => page.unroute("**/*", handler);
}

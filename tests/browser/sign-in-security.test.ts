import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";

import { appUrl, describeInBrowser, newClient, setUpBrowser, signIn, signOut } from "../support/browser";
import { csrf, signInOverHttp, signOutOverHttp } from "../support/http-auth";

/**
 * Sign-in as an attacker would probe it, against the built console: where it sends people
 * afterwards, how many passwords it checks when attempts arrive all at once, and whether a session
 * that has ended still answers as one. An organisation and accounts of their own, so other tests
 * are neither locked out nor see their traces.
 */
const browser = setUpBrowser();
// The console's default LOGIN_MAX_FAILURES, which the test app runs with.
const LOGIN_MAX_FAILURES = 10;
const BURST = { email: "burst@probe.example", password: "burst-right-password" };
const SESSIONS = { email: "sessions@probe.example", password: "sessions-right-password" };
const REDIRECTS = { email: "redirects@probe.example", password: "redirects-right-password" };

beforeAll(async () => {
  if (!inject("chromium")) return;
  selectDatabase(inject("appDatabaseUrl"));
  await upsertOrganization(getDb(), { slug: "probe", name: "Probe", licences: ["Genesys Cloud CX 3"] });
  for (const account of [BURST, SESSIONS, REDIRECTS]) {
    await upsertUser(getDb(), { organizationSlug: "probe", name: "Probe", permissions: ["routing:email:manage"], ...account });
  }
});

afterAll(async () => {
  await disconnectDb();
});

let addressCounter = 0;
/** A client address no other test uses (the test server trusts X-Forwarded-For). */
function freshAddress(): string {
  addressCounter += 1;
  return `172.${16 + (process.pid % 16)}.${addressCounter >> 8}.${addressCounter & 255}`;
}

describeInBrowser("sign-in: where it goes afterwards", () => {
  it("stays on the console when the callback hides another site behind a tab", async () => {
    const { context, page } = await newClient(browser());
    const origin = new URL(appUrl).origin;
    const elsewhere: string[] = [];
    let escaped: () => void = () => undefined;
    const escape = new Promise<void>((resolve) => (escaped = resolve));
    // Requests to any other host are answered here, so the browser never looks a name up.
    await context.route(
      (url) => url.origin !== origin,
      async (route) => {
        elsewhere.push(route.request().url());
        escaped();
        await route.abort();
      },
    );
    await page.goto("/signin?callbackUrl=/%09/evil.example/x");
    await signIn(page, REDIRECTS.email, REDIRECTS.password);
    // Whichever comes first: the console's overview, or an attempt to go elsewhere.
    await Promise.race([page.getByRole("heading", { name: "Overview" }).waitFor(), escape]);
    expect(elsewhere).toEqual([]);
    expect(new URL(page.url()).origin).toBe(origin);
    await context.close();
  });

  it("signs out to the sign-in page of the host the console was opened on, not NEXTAUTH_URL's", async () => {
    // The test console's NEXTAUTH_URL names 127.0.0.1; this user opens it as localhost.
    const localUrl = appUrl.replace("127.0.0.1", "localhost");
    const { context, page } = await newClient(browser(), undefined, localUrl);
    await page.goto("/signin");
    await signIn(page, REDIRECTS.email, REDIRECTS.password);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await signOut(page);
    expect(new URL(page.url()).origin).toBe(new URL(localUrl).origin);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    // Signed out here too: the console's pages send this browser back to sign in.
    await page.goto("/routes");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/signin");
    await context.close();
  });

  it("sends a signed-in user with an odd callbackUrl to the console, never elsewhere and never to an error", async () => {
    const address = freshAddress();
    const { session } = await signInOverHttp(appUrl, REDIRECTS, address);
    expect(session).not.toBeNull();
    const origin = new URL(appUrl).origin;
    // As they appear in the query string (so `%09` arrives as a tab, `%2509` as the text `%09`).
    const odd = [
      "%2F%09%2Fevil.example%2Fx",
      "/%0A/evil.example",
      "/%0D%0A/evil.example",
      "/%00/evil.example",
      "%09//evil.example",
      "//evil.example",
      "/%5Cevil.example",
      "%5C%5Cevil.example",
      "/..//evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "/%2509/evil.example",
      "%252F%252Fevil.example",
      "/routes?q=%C3%A9t%C3%A9",
      "/%E0%A4%A",
      "%",
      `/${"a".repeat(4000)}`,
      "/queues&callbackUrl=//evil.example",
    ];
    for (const value of odd) {
      const response = await fetch(`${appUrl}/signin?callbackUrl=${value}`, {
        redirect: "manual",
        headers: { cookie: session!, "x-forwarded-for": address },
      });
      expect([303, 307, 308], value).toContain(response.status);
      const location = response.headers.get("location") ?? "";
      expect(new URL(location, appUrl).origin, `${value} → ${location}`).toBe(origin);
    }
  });
});

describeInBrowser("sign-in: limits under concurrency", () => {
  it("checks at most the limit of passwords when 100 wrong ones arrive at once, then refuses the right one", async () => {
    const pair = await csrf(appUrl, freshAddress());
    // Each from its own address, so only the account's limit stands in the way.
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => signInOverHttp(appUrl, { email: BURST.email, password: `wrong-password-${index}` }, freshAddress(), pair)),
    );
    const errors = outcomes.map((outcome) => outcome.error ?? "signed in");
    // CredentialsSignin is the answer of a password that was checked and found wrong.
    expect(errors.filter((error) => error === "CredentialsSignin")).toHaveLength(LOGIN_MAX_FAILURES);
    expect(errors.filter((error) => error.startsWith("RateLimited:"))).toHaveLength(100 - LOGIN_MAX_FAILURES);
    expect(await getDb().loginFailure.count({ where: { email: BURST.email } })).toBe(LOGIN_MAX_FAILURES);

    const right = await signInOverHttp(appUrl, BURST, freshAddress());
    expect(right.error).toMatch(/^RateLimited:\d+$/);
    expect(right.session).toBeNull();
  });
});

describeInBrowser("sessions end everywhere", () => {
  async function sessionEndpoint(session: string, address: string) {
    const response = await fetch(`${appUrl}/api/auth/session`, { headers: { cookie: session, "x-forwarded-for": address } });
    return { body: (await response.json()) as { user?: { email?: string } }, setCookie: response.headers.getSetCookie() };
  }

  it("answers no user and sets no cookie once the user has signed out", async () => {
    const address = freshAddress();
    const { session } = await signInOverHttp(appUrl, SESSIONS, address);
    expect((await sessionEndpoint(session!, address)).body.user?.email).toBe(SESSIONS.email);
    await signOutOverHttp(appUrl, session!, address);
    // The browser dropped its cookie at sign-out; a copy kept elsewhere must be worth nothing.
    expect(await sessionEndpoint(session!, address)).toEqual({ body: {}, setCookie: [] });
  });

  it("answers no user and sets no cookie once the session has expired", async () => {
    const address = freshAddress();
    const { session } = await signInOverHttp(appUrl, SESSIONS, address);
    expect((await sessionEndpoint(session!, address)).body.user?.email).toBe(SESSIONS.email);
    const user = await getDb().user.findUniqueOrThrow({ where: { email: SESSIONS.email } });
    await getDb().session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sessionEndpoint(session!, address)).toEqual({ body: {}, setCookie: [] });
  });
});

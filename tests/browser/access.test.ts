import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { describeInBrowser, newClient, screenshot, signedInClient, signIn, signOut, setUpBrowser } from "../support/browser";

const browser = setUpBrowser();

/** Opens `path` and waits for the page the gate answers with instead: a 403 under `heading`. */
async function expectRefusedPage(page: Page, path: string, heading: string) {
  const response = await page.goto(path);
  expect(response?.status()).toBe(403);
  await page.getByRole("heading", { name: heading }).waitFor();
}

describeInBrowser("signing in and the access gate", () => {
  it("lets the admin sign in and reach the console, with the organisation and every section", async () => {
    const { context, page } = await newClient(browser());
    await page.goto("/");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/signin");
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/");
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(await page.getByTestId("organization-name").textContent()).toContain("Acme");
    const nav = page.getByRole("navigation", { name: "Main" }).first();
    for (const section of ["Overview", "Setup", "Domains", "Routes", "Queues", "Audit log"]) {
      expect(await nav.getByRole("link", { name: section }).count()).toBe(1);
    }
    await page.getByRole("link", { name: "Audit log" }).first().click();
    // Other files' journeys (API keys) may have written entries for Acme already: the page, not its contents, is what this test is about.
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await screenshot(page, "access-admin-overview");
    await context.close();
  });

  it("fetches no page in the background until the admin points at its link, then opens it", async () => {
    const { context, page } = await signedInClient(browser(), { email: "admin@acme.example", password: "acme-admin-password" });
    const fetched: string[] = [];
    page.on("request", (request) => {
      if (request.headers()["rsc"]) fetched.push(new URL(request.url()).pathname);
    });
    await page.goto("/routes");
    await page.getByRole("heading", { name: "Routes", level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    // Every section's link is on screen: none of their pages is fetched by showing it.
    expect(fetched).toEqual([]);
    const queues = page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Queues" });
    await queues.hover();
    await expect.poll(() => fetched).toContain("/queues");
    expect(new Set(fetched)).toEqual(new Set(["/queues"]));
    await queues.click();
    await page.getByRole("heading", { name: "Queues", exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/queues");
    await context.close();
  });

  it("sends a signed-out visitor to sign in and back to the page they asked for", async () => {
    const { context, page } = await newClient(browser());
    await page.goto("/queues");
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/queues");
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/queues");
    await page.getByRole("heading", { name: "Queues", exact: true }).waitFor();
    await context.close();
  });

  it("shows the viewer everything read-only, with no enabled control that would fail", async () => {
    const { context, page } = await signedInClient(browser(), { email: "viewer@acme.example", password: "acme-viewer-password" });
    await page.goto("/queues");
    await page.getByText("You have view-only access").waitFor();
    const create = page.getByRole("button", { name: "New queue" });
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute("title")).toBe("Requires the Routing > Email > Manage permission");
    await screenshot(page, "access-viewer-queues");
    await context.close();
  });

  it("gives a user without the permission the 403 page naming it", async () => {
    const { context, page } = await signedInClient(browser(), { email: "nopermission@acme.example", password: "acme-nopermission-password" });
    await expectRefusedPage(page, "/domains", "Permission required");
    // The permission by the name an administrator grants it under, and by its key.
    for (const name of ["Routing > Email > View", "routing:email:view"]) expect(await page.textContent("main")).toContain(name);
    await screenshot(page, "access-no-permission");
    await context.close();
  });

  it("gives the Globex admin the licence page listing the qualifying licences", async () => {
    const { context, page } = await signedInClient(browser(), { email: "admin@globex.example", password: "globex-admin-password" });
    await expectRefusedPage(page, "/", "Licence required");
    const licences = await page.getByRole("list", { name: "Qualifying licences" }).getByRole("listitem").allTextContents();
    expect(licences).toEqual([
      "Genesys Cloud CX 2",
      "Genesys Cloud CX 2 Digital",
      "Genesys Cloud CX 3",
      "Genesys Cloud CX 3 Digital",
      "Genesys Cloud CX 1 Digital Add-on II",
    ]);
    await screenshot(page, "access-licence-required");
    await context.close();
  });

  it("says the same for a wrong password and an unknown email, then locks after too many failures", async () => {
    const { context, page } = await newClient(browser());
    await page.goto("/signin");
    const attempt = async (email: string, password: string) => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.locator("#sign-in-error");
      await alert.waitFor();
      const text = (await alert.textContent()) ?? "";
      await page.reload();
      return text;
    };
    const wrongPassword = await attempt("viewer@acme.example", "not-the-password");
    expect(wrongPassword).toBe("That email and password do not match an account. Check both and try again.");
    expect(await attempt("nobody@acme.example", "not-the-password")).toBe(wrongPassword);
    for (let failures = 2; failures < 10; failures++) await attempt("viewer@acme.example", `wrong-${failures}`);
    const locked = await attempt("viewer@acme.example", "acme-viewer-password");
    expect(locked).toMatch(/^Too many failed sign-in attempts\. For your security, try again in 1[45] minutes\.$/);
    await screenshot(page, "access-sign-in-locked");
    await context.close();
  });

  it("signs out, and the old session cookie no longer opens the console", async () => {
    const { context, page } = await newClient(browser());
    await signIn(page, "admin@acme.example", "acme-admin-password");
    const cookies = await context.cookies();
    await signOut(page);
    const replay = await browser().newContext({ baseURL: page.url() });
    await replay.addCookies(cookies);
    const replayPage = await replay.newPage();
    await replayPage.goto(new URL("/queues", page.url()).toString());
    expect(new URL(replayPage.url()).pathname).toBe("/signin");
    await replay.close();
    await context.close();
  });
});

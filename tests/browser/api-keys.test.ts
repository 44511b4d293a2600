import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";

import { appUrl, describeInBrowser, newClient, screenshot, setUpBrowser, signIn } from "../support/browser";

/**
 * Settings > API keys as an admin meets it: create a key, see its secret once, use it against the
 * Automation API, revoke it and see the API refuse it at once. Screenshots at 1280 and 390 px.
 */
const browser = setUpBrowser();

beforeAll(() => {
  if (!inject("chromium")) return;
  selectDatabase(inject("appDatabaseUrl"));
});

afterAll(async () => {
  await disconnectDb();
});

async function queuesWith(key: string): Promise<number> {
  const response = await fetch(`${appUrl}/api/v1/queues`, { headers: { authorization: `Bearer ${key}` } });
  await response.body?.cancel();
  return response.status;
}

describeInBrowser("API keys page", () => {
  it("creates a key, shows its secret once, and revokes it so the API refuses it at once", async () => {
    const { context, page } = await newClient(browser());
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.getByRole("link", { name: "API keys" }).first().click();
    await expect.poll(() => page.url()).toContain("/settings/api-keys");
    await expect.poll(() => page.getByRole("heading", { name: "API keys", level: 1 }).isVisible()).toBe(true);

    await page.getByRole("button", { name: "Create API key" }).first().click();
    await page.getByLabel("Name").fill("terraform-prod");
    await page.getByLabel("May").selectOption("manage");
    await screenshot(page, "api-keys-create-1280");
    await page.getByRole("button", { name: "Create key" }).click();

    const secretBox = page.getByTestId("api-key-secret");
    await expect.poll(() => secretBox.isVisible()).toBe(true);
    const secret = (await secretBox.textContent())!.trim();
    expect(secret).toMatch(/^erc_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, "api-keys-secret-1280");
    expect(await queuesWith(secret)).toBe(200);

    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => secretBox.count()).toBe(0);
    const row = page.getByTestId("api-key-row").filter({ hasText: "terraform-prod" });
    await expect.poll(() => row.textContent()).toContain(secret.slice(0, 16));
    await expect.poll(() => row.textContent()).toContain("Last used");
    // Never again: not on the page, not in a fresh load of it.
    await page.reload();
    await expect.poll(() => page.getByTestId("api-key-row").count()).toBeGreaterThan(0);
    expect(await page.content()).not.toContain(secret);
    expect(await row.textContent()).toContain("Active");
    await screenshot(page, "api-keys-list-1280");

    await page.getByRole("button", { name: "Revoke terraform-prod" }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect.poll(() => row.textContent()).toContain("Revoked");
    expect(await queuesWith(secret)).toBe(401);
    await screenshot(page, "api-keys-revoked-1280");

    const entries = await getDb().auditEntry.findMany({ where: { entityType: "api_key", organization: { slug: "acme" } }, orderBy: { id: "asc" } });
    expect(entries.map((entry) => `${entry.action} ${entry.actorEmail}`)).toEqual(["api_key.create admin@acme.example", "api_key.revoke admin@acme.example"]);
    await context.close();
    // The whole journey (sign-in, create, reload, revoke, four screenshots) on a busy 2-core machine.
  }, 150_000);

  it("fits a phone: the list and the create dialog at 390 px", async () => {
    const { context, page } = await newClient(browser(), { width: 390, height: 844 });
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.goto("/settings/api-keys");
    await expect.poll(() => page.getByTestId("api-key-row").count()).toBeGreaterThan(0);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "api-keys-list-390");
    await page.getByRole("button", { name: "Create API key" }).first().click();
    await page.getByLabel("Name").fill("phone-key");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.getByTestId("api-key-secret").isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "api-keys-secret-390");
    await context.close();
  });

  it("links the API reference: every endpoint of the served OpenAPI document, at 1280 and 390 px", async () => {
    const served = (await (await fetch(`${appUrl}/api/v1/openapi.json`)).json()) as {
      servers: { url: string }[];
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(served.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${served.servers[0]!.url}${path}`),
    );
    expect(operations).toContain("POST /api/v1/routes");
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      const { context, page } = await newClient(browser(), { width, height });
      await signIn(page, "viewer@acme.example", "acme-viewer-password");
      await page.goto("/settings/api-keys");
      await page.getByRole("link", { name: "API reference" }).click();
      await expect.poll(() => page.getByRole("heading", { name: "API reference", level: 1 }).isVisible()).toBe(true);
      const shown = await page.locator("article[aria-label]").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("aria-label")));
      expect(shown.sort()).toEqual([...operations].sort());
      expect(await page.getByRole("article", { name: "POST /api/v1/routes" }).textContent()).toContain("pattern(body, required)");
      // The page itself never needs sideways scrolling (the console's top navigation strip is its own matter).
      expect(await page.locator("main").evaluate((main) => main.scrollWidth <= main.clientWidth)).toBe(true);
      await screenshot(page, `api-reference-${width}`);
      await context.close();
    }
  }, 120_000);

  it("shows a viewer the keys but no way to create or revoke them", async () => {
    const { context, page } = await newClient(browser());
    await signIn(page, "viewer@acme.example", "acme-viewer-password");
    await page.goto("/settings/api-keys");
    await expect.poll(() => page.getByText("You have view-only access").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Create API key" }).first().isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Revoke phone-key" }).isDisabled()).toBe(true);
    await context.close();
  });
});

import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { describeInBrowser, screenshot, setUpBrowser, setUpOwnOrganization, signedInClient } from "../support/browser";

/**
 * Routes, catalogues, the tester, import and the audit log, driven in Chromium. Everything happens
 * in an organisation of its own (Umbrella), so other browser tests see Acme as they left it.
 */
const browser = setUpBrowser();
const ADMIN = { email: "admin@umbrella.example", password: "umbrella-admin-password" };

const own = setUpOwnOrganization({ slug: "umbrella", name: "Umbrella", admins: [ADMIN], domains: ["help.umbrella.test"], queues: ["Support", "Billing"] }, async (db, { organizationId }) => {
  await db.skill.create({ data: { organizationId, name: "Refunds", nameKey: "refunds" } });
});

const signedIn = (viewport?: { width: number; height: number }) => signedInClient(browser(), ADMIN, viewport);

function dialog(page: Page) {
  return page.getByRole("dialog");
}

function row(page: Page, address: string) {
  return page.getByTestId("route-row").filter({ hasText: address });
}

async function createRoute(page: Page, pattern: string, queue: string, fromName: string) {
  // The empty state offers the button too; either opens the same form.
  await page.getByRole("button", { name: "New route" }).first().click();
  const form = dialog(page);
  await form.getByLabel("Address", { exact: true }).fill(pattern);
  await form.getByLabel("Domain", { exact: true }).selectOption({ label: "help.umbrella.test" });
  await form.getByLabel("Queue", { exact: true }).selectOption({ label: queue });
  await form.getByLabel("From name").fill(fromName);
  await form.getByRole("button", { name: "Create route" }).click();
}

describeInBrowser("routes", () => {
  it("creates, edits and deletes a route, and the audit log shows each change", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("heading", { name: "No routes yet" }).waitFor();

    // The server refuses what the form let through: a duplicate address is reported on the field.
    await createRoute(page, "support", "Support", "Umbrella Support");
    await row(page, "support@help.umbrella.test").waitFor();
    await createRoute(page, "SUPPORT", "Billing", "Duplicate");
    await dialog(page).getByText("SUPPORT@help.umbrella.test already has a route", { exact: true }).waitFor();
    expect(await dialog(page).getByLabel("Address", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "routes-duplicate-address");
    // The form has unsaved changes: Escape asks before throwing them away.
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Discard your changes?" }).getByRole("button", { name: "Discard changes" }).click();

    await page.getByRole("button", { name: "Edit support@help.umbrella.test" }).click();
    await dialog(page).getByLabel("Queue", { exact: true }).selectOption({ label: "Billing" });
    await dialog(page).getByLabel("Refunds").check();
    await dialog(page).getByRole("button", { name: "Save route" }).click();
    await expect.poll(async () => (await row(page, "support@help.umbrella.test").textContent()) ?? "").toContain("Billing");
    expect(await row(page, "support@help.umbrella.test").textContent()).toContain("Refunds");

    await page.getByRole("button", { name: "Delete support@help.umbrella.test" }).click();
    await dialog(page).getByRole("button", { name: "Delete route" }).click();
    await page.getByRole("heading", { name: "No routes yet" }).waitFor();

    await page.goto("/audit");
    const entries = page.getByTestId("audit-entry");
    await expect.poll(() => entries.count()).toBe(3);
    expect(await entries.allTextContents()).toEqual([
      expect.stringContaining("Route deleted"),
      expect.stringContaining("Route changed"),
      expect.stringContaining("Route created"),
    ]);
    const change = entries.nth(1);
    await change.getByText(/^Changes:/).click();
    // Field, before, after; the kind of change is spelled out for screen readers.
    expect(await change.locator("tbody tr").allTextContents()).toEqual(["Queue (Changed)SupportBilling", "Skills (Added)—Refunds"]);
    await screenshot(page, "audit-log-route-change");
    await context.close();
  });

  it("tests addresses: the queue an address reaches, or why none", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await createRoute(page, "billing", "Billing", "Umbrella Billing");
    await row(page, "billing@help.umbrella.test").waitFor();

    const tester = page.getByRole("search", { name: "Test an address" });
    await tester.getByLabel("Address to test").fill("Billing@help.umbrella.test");
    await tester.getByRole("button", { name: "Test address" }).click();
    const result = page.getByTestId("tester-result");
    await result.getByText("Routed").waitFor();
    expect(await result.textContent()).toContain("delivered to the Billing queue");

    await tester.getByLabel("Address to test").fill("biling@help.umbrella.test");
    await tester.getByRole("button", { name: "Test address" }).click();
    await result.getByText("No route for this address").waitFor();
    await result.getByRole("button", { name: "billing@help.umbrella.test" }).waitFor();

    await tester.getByLabel("Address to test").fill("someone@elsewhere.test");
    await tester.getByRole("button", { name: "Test address" }).click();
    await result.getByText("Unknown domain").waitFor();
    await screenshot(page, "routes-tester");
    await context.close();
  });

  it("checks an imported CSV line by line, imports nothing while a line is wrong, then imports all", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "Import CSV" }).click();
    const importer = dialog(page);
    const header = "domain,pattern,queue,fromName";
    const bad = [header, "help.umbrella.test,sales,Support,Umbrella", "help.umbrella.test,bad..address,Support,Umbrella", "help.umbrella.test,refunds,Nowhere,Umbrella"].join("\n");
    await importer.getByLabel("CSV file").setInputFiles({ name: "routes.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await importer.getByRole("button", { name: "Check file" }).click();
    const report = importer.getByTestId("import-report");
    await report.waitFor();
    expect(await report.textContent()).toContain("3 rows: 1 ready to import, 2 lines have problems.");
    const problems = await report.locator("tbody tr").allTextContents();
    expect(problems).toEqual(["3patternAn address cannot have two dots in a row", '4queueThere is no queue named "Nowhere"; create it on the Queues page first']);
    expect(await importer.getByRole("button", { name: "Import" }).isDisabled()).toBe(true);
    await screenshot(page, "routes-import-errors");

    const good = [header, "help.umbrella.test,sales,Support,Umbrella", "help.umbrella.test,refunds,Billing,Umbrella"].join("\n");
    await importer.getByLabel("CSV file").setInputFiles({ name: "routes.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await importer.getByRole("button", { name: "Check file" }).click();
    await importer.getByRole("button", { name: "Import 2 routes" }).click();
    await row(page, "refunds@help.umbrella.test").waitFor();
    await row(page, "sales@help.umbrella.test").waitFor();
    await context.close();
  });

  it("refuses to delete a queue while routes use it, listing them; and pages, searches and fits a phone", async () => {
    const db = getDb();
    await db.$executeRaw`
      INSERT INTO routes (organization_id, domain_id, pattern, pattern_key, address, queue_id, from_name, updated_at)
      SELECT ${own.organizationId}::uuid, ${own.domainIds[0]!}::uuid, 'bulk' || i, 'bulk' || i, 'bulk' || i || '@help.umbrella.test', ${own.queueIds.Support!}::uuid, 'Bulk', now()
        FROM generate_series(1, 130) i`;
    const { context, page } = await signedIn({ width: 390, height: 844 });
    // The server sends the rows first and the total after them, in the same answer.
    const total = await db.route.count({ where: { organizationId: own.organizationId } });
    const html = await (await page.request.get("/routes")).text();
    expect(html.indexOf("bulk1@help.umbrella.test")).toBeGreaterThan(0);
    expect(html).toContain(`1–50 of ${total}`);
    await page.goto("/routes");
    const pages = page.getByRole("navigation", { name: "Pages" });
    await expect.poll(async () => (await pages.textContent()) ?? "").toContain(`1–50 of ${total}`);
    await expect.poll(async () => (await pages.textContent()) ?? "").toContain("of 13");
    await pages.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("page")).toBe("2");
    await page.getByLabel("Search address, queue or skill").fill("bulk12");
    await expect.poll(async () => (await pages.textContent()) ?? "").toContain("1–11 of 11");
    // Nothing on the page is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "routes-phone");

    await page.goto("/queues");
    await page.getByRole("button", { name: "Delete Support" }).click();
    const refusal = dialog(page);
    await refusal.getByRole("heading", { name: "Support is in use" }).waitFor();
    const listed = refusal.getByRole("list", { name: "Routes using Support" });
    await expect.poll(() => listed.getByRole("listitem").count()).toBe(21);
    expect(await refusal.getByRole("button", { name: "Delete queue" }).count()).toBe(0);
    await screenshot(page, "queues-in-use");
    await page.keyboard.press("Escape");

    await page.getByRole("tab", { name: /Skills/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("tab")).toBe("skills");
    await page.getByRole("button", { name: "New skill" }).click();
    await dialog(page).getByLabel("Name").fill("Loyalty");
    await dialog(page).getByRole("button", { name: "Create skill" }).click();
    await page.getByRole("cell", { name: "Loyalty", exact: true }).waitFor();
    await context.close();
  });
});

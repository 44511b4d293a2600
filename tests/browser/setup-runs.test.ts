import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { describeInBrowser, screenshot, setUpBrowser, setUpOwnOrganization, signedInClient } from "../support/browser";

/**
 * Set-up runs (one per domain), the Addresses step and the Redirect rules step's warnings, in an
 * organisation of this file's own (Stark) on the shared test console. Platform names need no DNS;
 * domains that would need DNS are written to the database as verified.
 */
const browser = setUpBrowser();
const ADMIN = { email: "admin@stark-setup.example", password: "stark-setup-admin-password" };
const PLATFORM = "routing.platform.test";

const own = setUpOwnOrganization({ slug: "stark-setup", name: "Stark", admins: [ADMIN], queues: ["Support"] });

const adminPage = (viewport?: { width: number; height: number }) => signedInClient(browser(), ADMIN, viewport);

async function stepHeading(page: Page, name: string) {
  await page.getByRole("heading", { level: 2, name, exact: true }).waitFor();
}

async function answer(page: Page, question: RegExp, choice: "Yes" | "No") {
  await page.getByRole("group", { name: question }).getByText(choice, { exact: true }).click();
}

async function verifiedDomain(name: string, scenario: "own_domain" | "own_domain_with_copies") {
  return getDb().domain.create({ data: { organizationId: own.organizationId, name, displayName: name, kind: "custom", scenario, status: "verified", verifiedAt: new Date() } });
}

async function routeOn(domain: { id: string; name: string }, pattern: string) {
  const queue = await getDb().queue.findFirstOrThrow({ where: { organizationId: own.organizationId, nameKey: "support" } });
  return getDb().route.create({
    data: { organizationId: own.organizationId, domainId: domain.id, pattern, patternKey: pattern, address: `${pattern}@${domain.name}`, queueId: queue.id, fromName: "Stark" },
  });
}

describeInBrowser("set-up runs", () => {
  it("Add a domain starts a new run with the recommendation preselected; the run is listed to resume; Start over asks first", async () => {
    const db = getDb();
    const { context, page } = await adminPage();
    await page.goto("/domains");
    await page.getByRole("link", { name: "Add a domain" }).click();
    await stepHeading(page, "Scenario");
    await answer(page, /Do customers already write/, "No");
    await answer(page, /Do you need a copy/, "No");
    await answer(page, /Can you \(or your IT team\)/, "No");
    // The recommendation is chosen for the admin, who may still pick another.
    const recommended = page.locator('[data-scenario="platform_domain"]');
    expect(await recommended.getByText("Recommended").count()).toBe(1);
    expect(await recommended.getByRole("radio").isChecked()).toBe(true);
    await screenshot(page, "wizard-runs-scenario-1280");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Domain");
    await expect.poll(() => new URL(page.url()).searchParams.get("run")).toMatch(/^[0-9a-f-]{36}$/);
    const runId = new URL(page.url()).searchParams.get("run")!;
    await page.getByLabel("Your name under the platform domain").fill("stark");
    await page.getByText("Available", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Register name" }).click();
    await stepHeading(page, "Addresses");
    expect(await db.setupRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ step: "addresses", finishedAt: null });

    // "Add a domain" again: a new set-up at the first step, the unfinished one listed.
    await page.goto("/domains");
    await page.getByRole("link", { name: "Add a domain" }).click();
    await stepHeading(page, "Scenario");
    const listed = page.getByTestId("open-run").filter({ hasText: `stark.${PLATFORM}` });
    expect(await listed.textContent()).toContain("at Addresses");
    expect(await page.locator('[aria-current="step"]').textContent()).toContain("Scenario");
    await screenshot(page, "wizard-runs-list-1280");
    await listed.getByRole("link", { name: `Resume stark.${PLATFORM}` }).click();
    await stepHeading(page, "Addresses");

    // Start over asks first; keeping on changes nothing.
    await page.getByRole("button", { name: "Start over" }).click();
    const ask = page.getByRole("dialog", { name: "Start over?" });
    expect(await ask.textContent()).toContain(`stark.${PLATFORM} and its addresses stay registered`);
    await screenshot(page, "wizard-start-over-ask-1280");
    await ask.getByRole("button", { name: "Keep going" }).click();
    await stepHeading(page, "Addresses");
    await page.getByRole("button", { name: "Start over" }).click();
    await ask.getByRole("button", { name: "Start over" }).click();
    await stepHeading(page, "Scenario");
    await expect.poll(() => db.setupRun.count({ where: { id: runId } })).toBe(0);
    expect(await db.domain.count({ where: { name: `stark.${PLATFORM}` } })).toBe(1);
    expect(await page.getByTestId("open-run").filter({ hasText: `stark.${PLATFORM}` }).count()).toBe(0);
    await context.close();
  }, 240_000);

  it("the Addresses step flags an empty address and an empty new queue together and creates nothing while one is wrong", async () => {
    const db = getDb();
    const domain = await db.domain.create({
      data: { organizationId: own.organizationId, name: `stark-two.${PLATFORM}`, displayName: `stark-two.${PLATFORM}`, kind: "platform", platformLabel: "stark-two", scenario: "platform_domain", status: "verified", verifiedAt: new Date() },
    });
    const run = await db.setupRun.create({ data: { organizationId: own.organizationId, domainId: domain.id, startedById: own.userIds[0]!, step: "addresses", scenario: "platform_domain" } });
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const { context, page } = await adminPage(viewport);
      await page.goto(`/setup?run=${run.id}`);
      await stepHeading(page, "Addresses");
      await page.getByLabel("Queue", { exact: true }).selectOption({ label: "+ Create a new queue…" });
      await page.getByRole("button", { name: "Add address" }).click();
      const list = page.getByTestId("error-list");
      await list.waitFor();
      expect(await list.locator("li").allTextContents()).toEqual(["Address: Enter the part before the @, such as support", "New queue's name: Enter a queue name"]);
      expect(await page.getByLabel("Address", { exact: true }).getAttribute("aria-invalid")).toBe("true");
      expect(await page.getByLabel("New queue's name").getAttribute("aria-invalid")).toBe("true");
      await screenshot(page, `wizard-addresses-errors-${viewport.width}`);
      await context.close();
    }

    const { context, page } = await adminPage();
    await page.goto(`/setup?run=${run.id}`);
    await page.getByLabel("Queue", { exact: true }).selectOption({ label: "+ Create a new queue…" });
    await page.getByLabel("Address", { exact: true }).fill("bad..address");
    await page.getByLabel("New queue's name").fill("Fresh");
    await page.getByRole("button", { name: "Add address" }).click();
    await page.getByTestId("error-list").getByText("Address:").waitFor();
    expect(await db.queue.count({ where: { organizationId: own.organizationId, name: "Fresh" } })).toBe(0);

    await page.getByLabel("Address", { exact: true }).fill("hello");
    await page.getByRole("button", { name: "Add address" }).click();
    await page.getByRole("table", { name: "Mapped addresses" }).getByText(`hello@stark-two.${PLATFORM}`).waitFor();
    expect(await db.queue.count({ where: { organizationId: own.organizationId, name: "Fresh" } })).toBe(1);

    // Finishing closes the run: its address opens a new set-up, saying so.
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Finish");
    await expect.poll(async () => (await db.setupRun.findUniqueOrThrow({ where: { id: run.id } })).finishedAt).not.toBeNull();
    await page.goto(`/setup?run=${run.id}`);
    await page.getByText("That set-up is closed").waitFor();
    await stepHeading(page, "Scenario");
    expect(await page.getByTestId("open-run").filter({ hasText: `stark-two.${PLATFORM}` }).count()).toBe(0);
    await context.close();
  }, 240_000);

  it("a deleted domain takes its run along: no stepper claims its steps, and the list can discard what is left", async () => {
    const db = getDb();
    const domain = await verifiedDomain("gone.stark.test", "own_domain");
    const run = await db.setupRun.create({ data: { organizationId: own.organizationId, domainId: domain.id, startedById: own.userIds[0]!, step: "addresses", scenario: "own_domain" } });
    const orphan = await db.setupRun.create({ data: { organizationId: own.organizationId, startedById: own.userIds[0]!, step: "domain", scenario: "own_domain_with_copies" } });
    const { context, page } = await adminPage({ width: 390, height: 844 });
    await page.goto("/setup");
    expect(await page.getByTestId("open-run").filter({ hasText: "gone.stark.test" }).count()).toBe(1);
    await screenshot(page, "wizard-runs-list-390");

    await db.domain.delete({ where: { id: domain.id } });
    await page.goto(`/setup?run=${run.id}`);
    await page.getByText("That set-up is closed").waitFor();
    await stepHeading(page, "Scenario");
    expect(await page.getByRole("navigation", { name: "Set-up steps" }).getByText("(done)").count()).toBe(0);
    expect(await page.getByTestId("open-run").filter({ hasText: "gone.stark.test" }).count()).toBe(0);

    const left = page.getByTestId("open-run").filter({ hasText: "A set-up without a domain yet" });
    await left.getByRole("button", { name: "Discard A set-up without a domain yet" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Discard set-up" }).click();
    await expect.poll(() => db.setupRun.count({ where: { id: orphan.id } })).toBe(0);
    await expect.poll(() => left.count()).toBe(0);
    await context.close();
  }, 240_000);

  it("warns on the Redirect rules step of an address both routed and redirected, and of redirects that loop", async () => {
    const db = getDb();
    const help = await verifiedDomain("help.stark.test", "own_domain_with_copies");
    await routeOn(help, "support");
    const copies = await verifiedDomain("copies.stark.test", "own_domain_with_copies");
    await routeOn(copies, "support");
    // copies.stark.test's own set-up redirects support@help.stark.test to support@copies.stark.test.
    await db.setupRun.create({
      data: { organizationId: own.organizationId, domainId: copies.id, startedById: own.userIds[0]!, step: "finish", scenario: "own_domain_with_copies", data: { originalDomain: "help.stark.test" }, finishedAt: new Date() },
    });
    const run = await db.setupRun.create({ data: { organizationId: own.organizationId, domainId: help.id, startedById: own.userIds[0]!, step: "redirects", scenario: "own_domain_with_copies" } });
    const { context, page } = await adminPage();
    await page.goto(`/setup?run=${run.id}`);
    await stepHeading(page, "Redirect rules");
    const original = page.getByLabel("The domain customers write to today");
    await original.fill("stark-old.test");
    await page.getByText("support@stark-old.test").first().waitFor();
    expect(await page.getByTestId("redirect-warning").count()).toBe(0);

    await original.fill("copies.stark.test");
    const warnings = page.getByTestId("redirect-warning");
    await expect.poll(() => warnings.count()).toBe(2);
    expect(await warnings.evaluateAll((items) => items.map((item) => item.getAttribute("data-kind")))).toEqual(["overlap", "loop"]);
    expect(await warnings.nth(0).textContent()).toContain("support@copies.stark.test has a route of its own");
    expect(await warnings.nth(1).textContent()).toContain("support@copies.stark.test → support@help.stark.test → support@copies.stark.test");
    await screenshot(page, "wizard-redirect-warnings-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "wizard-redirect-warnings-390");
    await context.close();
  }, 240_000);
});

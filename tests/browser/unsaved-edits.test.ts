import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { describeInBrowser, dropActionCalls, screenshot, setUpBrowser, setUpOwnOrganization, signedInClient } from "../support/browser";

/**
 * The forms outside the route dialog keep what the admin typed and say what happened when a save
 * cannot reach the console: queues, API keys and the set-up wizard. An organisation of its own.
 */
const browser = setUpBrowser();
const ADMIN = { email: "admin@kent-edit.example", password: "kent-edit-admin-password" };
const own = setUpOwnOrganization({ slug: "kent-edit", name: "Kent", admins: [ADMIN], domains: ["help.kent.test"], queues: ["Support"] });

const signedIn = (viewport?: { width: number; height: number }) => signedInClient(browser(), ADMIN, viewport);
const UNREACHABLE = "The console could not be reached, so nothing was saved.";

function unreachableAlert(scope: Page | ReturnType<Page["getByRole"]>) {
  return scope.getByRole("alert").filter({ hasText: UNREACHABLE });
}

describeInBrowser("saving when the console cannot be reached", () => {
  it("a new queue: says nothing was saved and keeps the name and description", async () => {
    const { context, page } = await signedIn();
    await page.goto("/queues");
    await page.getByRole("button", { name: "New queue" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New queue" });
    await dialog.getByLabel("Name").fill("Escalations");
    await dialog.getByLabel("Description (optional)").fill("Second line");
    const restore = await dropActionCalls(page);
    const create = dialog.getByRole("button", { name: "Create queue" });
    await create.click();
    await unreachableAlert(dialog).waitFor();
    await screenshot(page, "queue-unreachable-1280");
    expect(await create.isEnabled()).toBe(true);
    expect(await dialog.getByLabel("Name").inputValue()).toBe("Escalations");
    expect(await dialog.getByLabel("Description (optional)").inputValue()).toBe("Second line");
    await restore();
    await create.click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await getDb().queue.count({ where: { organizationId: own.organizationId, name: "Escalations" } })).toBe(1);
    await context.close();
  });

  it("a new API key: says nothing was saved and keeps the name", async () => {
    const { context, page } = await signedIn();
    await page.goto("/settings/api-keys");
    await page.getByRole("button", { name: "Create API key" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create API key" });
    await dialog.getByLabel("Name").fill("offline-key");
    await dropActionCalls(page);
    const create = dialog.getByRole("button", { name: "Create key" });
    await create.click();
    await unreachableAlert(dialog).waitFor();
    expect(await create.isEnabled()).toBe(true);
    expect(await dialog.getByLabel("Name").inputValue()).toBe("offline-key");
    await context.close();
  });

  it("the set-up wizard: warns that a step change was not saved, and Register domain stops waiting", async () => {
    const { context, page } = await signedIn();
    await page.goto("/setup");
    await page.locator('[data-scenario="platform_domain"]').click();
    const restore = await dropActionCalls(page);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { level: 2, name: "Domain", exact: true }).waitFor();
    const warning = page.getByRole("status").filter({ hasText: "Your progress was not saved" });
    await warning.waitFor();
    expect(await warning.textContent()).toContain(UNREACHABLE);

    await page.getByLabel("Your name under the platform domain").fill("kent-offline");
    const register = page.getByRole("button", { name: "Register name" });
    await register.click();
    await page.getByText(UNREACHABLE).first().waitFor();
    await screenshot(page, "wizard-register-unreachable-1280");
    await expect.poll(() => register.isEnabled()).toBe(true);
    expect(await page.getByLabel("Your name under the platform domain").inputValue()).toBe("kent-offline");
    await restore();
    await context.close();
  });
});

describeInBrowser("an error found by the server", () => {
  it("moves focus to the field it is about, as errors found in the browser do", async () => {
    const { context, page } = await signedIn();
    await page.goto("/queues");
    await page.getByRole("button", { name: "New queue" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New queue" });
    await dialog.getByLabel("Name").fill("SUPPORT");
    await dialog.getByLabel("Description (optional)").fill("Same name, other case");
    await dialog.getByRole("button", { name: "Create queue" }).click();
    await expect.poll(() => dialog.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("queue-form-name");
    await context.close();
  });
});


describeInBrowser("closing a dialog with something typed", () => {
  it("a queue dialog asks before Escape throws away a name and description", async () => {
    const { context, page } = await signedIn();
    await page.goto("/queues");
    await page.getByRole("button", { name: "New queue" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New queue" });
    await dialog.getByLabel("Name").fill("Second line");
    await dialog.getByLabel("Description (optional)").fill("Long description typed carefully");
    await page.keyboard.press("Escape");
    const ask = page.getByRole("dialog", { name: "Discard your changes?" });
    await ask.waitFor();
    await screenshot(page, "queue-discard-ask-1280");
    await ask.getByRole("button", { name: "Keep editing" }).click();
    await expect.poll(() => ask.count()).toBe(0);
    expect(await dialog.getByLabel("Description (optional)").inputValue()).toBe("Long description typed carefully");
    await page.keyboard.press("Escape");
    await ask.getByRole("button", { name: "Discard changes" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await context.close();
  });

  it("the one-time API key asks whether it was copied before a stray Escape closes it", async () => {
    const { context, page } = await signedIn({ width: 390, height: 844 });
    await page.goto("/settings/api-keys");
    await page.getByRole("button", { name: "Create API key" }).first().click();
    await page.getByRole("dialog", { name: "Create API key" }).getByLabel("Name").fill("copied-key");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = page.getByTestId("api-key-secret");
    await secret.waitFor();
    await page.keyboard.press("Escape");
    const ask = page.getByRole("dialog", { name: "Have you copied the key?" });
    await ask.waitFor();
    await screenshot(page, "api-key-close-ask-390");
    await ask.getByRole("button", { name: "Back to the key" }).click();
    await expect.poll(() => ask.count()).toBe(0);
    expect(await secret.isVisible()).toBe(true);
    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await context.close();
  });
});

describeInBrowser("leaving the page with something typed", () => {
  it("the route dialog's links open a new tab, and closing the tab asks first", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "New route" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New route" });
    await dialog.getByLabel("Address", { exact: true }).fill("billing-eu");
    const addSkills = dialog.getByRole("link", { name: /Add skills/ });
    expect(await addSkills.getAttribute("target")).toBe("_blank");

    // The warning is set up once the typed address has reached the dialog's state: wait for it, so
    // the close below is not raced against React's effect.
    await expect
      .poll(() => page.evaluate(() => {
        const probe = new Event("beforeunload", { cancelable: true });
        window.dispatchEvent(probe);
        return probe.defaultPrevented;
      }))
      .toBe(true);
    const asked = new Promise<string>((resolve) => page.once("dialog", (prompt) => {
      resolve(prompt.type());
      void prompt.dismiss();
    }));
    await page.close({ runBeforeUnload: true });
    expect(await asked).toBe("beforeunload");
    await context.close();
  });
});

import type { Locator, Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { describeInBrowser, dropActionCalls, screenshot, setUpBrowser, setUpOwnOrganization, signedInClient } from "../support/browser";

/**
 * The route dialog: its footer, closing with unsaved changes, every error at once, accessible
 * names, and two admins editing one route at once. Everything in an organisation of its own.
 */
const browser = setUpBrowser();
const ADMIN = { email: "admin@wayne-edit.example", password: "wayne-edit-admin-password" };
const SECOND = { email: "second@wayne-edit.example", password: "wayne-edit-second-password" };

const own = setUpOwnOrganization(
  { slug: "wayne-edit", name: "Wayne", admins: [ADMIN, SECOND], domains: ["help.wayne.test", "sales.wayne.test"], queues: ["Support", "Billing"] },
  async (db, { organizationId }) => {
    for (const name of ["Refunds", "Returns", "VIP", "Complaints", "Press", "Partners"]) {
      await db.skill.create({ data: { organizationId, name, nameKey: name.toLowerCase() } });
    }
  },
);

const signedIn = (account = ADMIN, viewport?: { width: number; height: number }) => signedInClient(browser(), account, viewport);

async function routeOf(pattern: string) {
  const db = getDb();
  const route = await db.route.create({
    data: {
      organizationId: own.organizationId,
      domainId: own.domainIds[0]!,
      pattern,
      patternKey: pattern,
      address: `${pattern}@help.wayne.test`,
      queueId: own.queueIds.Support!,
      fromName: "Wayne Support",
      priority: 5,
    },
  });
  return route;
}

/** The control names (role and name) in a part of the page, as assistive technology lists them. */
async function controlNames(scope: Locator): Promise<string[]> {
  const snapshot = await scope.ariaSnapshot();
  return [...snapshot.matchAll(/^\s*- (textbox|combobox|checkbox|radio|button|group|radiogroup|link) "([^"]*)"/gm)].map((match) => `${match[1]} ${match[2]}`);
}

async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  return box !== null && box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width;
}

describeInBrowser("route dialog", () => {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    it(`keeps Save and Cancel in view at ${viewport.width}×${viewport.height}, shows every field error at once, and names each control once`, async () => {
      const { context, page } = await signedIn(ADMIN, viewport);
      await page.goto("/routes");
      await page.getByRole("button", { name: "New route" }).first().click();
      const dialog = page.getByRole("dialog", { name: "New route" });
      await dialog.waitFor();
      const save = dialog.getByRole("button", { name: "Create route" });
      const cancel = dialog.getByRole("button", { name: "Cancel" });
      expect(await inViewport(page, save)).toBe(true);
      expect(await inViewport(page, cancel)).toBe(true);
      await screenshot(page, `route-dialog-${viewport.width}`);

      // Nothing filled in but a spam queue equal to the queue: every problem is listed at once,
      // the rule between fields among them.
      await dialog.getByLabel("Queue", { exact: true }).selectOption({ label: "Support" });
      await dialog.getByLabel("Spam queue (optional)").selectOption({ label: "Support" });
      await save.click();
      const list = dialog.getByTestId("error-list");
      await list.waitFor();
      expect(await list.locator("li").allTextContents()).toEqual([
        "Domain: Choose a domain",
        "Address: Enter the part before the @, such as support",
        "From name: Enter the name customers see on replies",
        "Spam queue: Choose a different queue for spam, or none",
      ]);
      for (const label of ["Address", "Domain", "From name"]) {
        expect(await dialog.getByLabel(label, { exact: true }).getAttribute("aria-invalid")).toBe("true");
      }
      // Scrolled to the end of the long form, the buttons are still where they were.
      await dialog.getByLabel("History inclusion").scrollIntoViewIfNeeded();
      expect(await inViewport(page, save)).toBe(true);
      await screenshot(page, `route-dialog-errors-${viewport.width}`);

      const names = await controlNames(dialog);
      expect(names.length).toBeGreaterThan(15);
      expect(names.filter((name) => /\b(\w+) \1\b/i.test(name))).toEqual([]);
      const fields = names.filter((name) => /^(textbox|combobox|checkbox|radio) /.test(name));
      expect(fields.filter((name, index) => fields.indexOf(name) !== index)).toEqual([]);
      await context.close();
    }, 240_000);
  }

  it("asks before Escape or Cancel throws away unsaved changes, and closes at once without any", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "New route" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New route" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);

    await page.getByRole("button", { name: "New route" }).first().click();
    await dialog.getByLabel("Address", { exact: true }).fill("careful");
    await page.keyboard.press("Escape");
    const ask = page.getByRole("dialog", { name: "Discard your changes?" });
    await ask.waitFor();
    await screenshot(page, "route-dialog-discard-ask");
    await ask.getByRole("button", { name: "Keep editing" }).click();
    await expect.poll(() => ask.count()).toBe(0);
    expect(await dialog.getByLabel("Address", { exact: true }).inputValue()).toBe("careful");

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await ask.getByRole("button", { name: "Discard changes" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await context.close();
  }, 240_000);
});

describeInBrowser("saving a route when the console cannot be reached", () => {
  it("says nothing was saved, keeps what was typed, and saves on the next try", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "New route" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New route" });
    await dialog.getByLabel("Address", { exact: true }).fill("netfail-one");
    await dialog.getByLabel("Domain", { exact: true }).selectOption({ label: "help.wayne.test" });
    await dialog.getByLabel("Queue", { exact: true }).selectOption({ label: "Support" });
    await dialog.getByLabel("From name").fill("Wayne Help");
    await dialog.getByLabel("Auto-BCC (optional)").fill("copies@help.wayne.test");

    const restore = await dropActionCalls(page);
    const save = dialog.getByRole("button", { name: "Create route" });
    await save.click();
    await dialog.getByRole("alert").filter({ hasText: "The console could not be reached, so nothing was saved." }).waitFor();
    await screenshot(page, "route-dialog-unreachable-1280");
    expect(await save.isEnabled()).toBe(true);
    expect(await dialog.getByLabel("Address", { exact: true }).inputValue()).toBe("netfail-one");
    expect(await dialog.getByLabel("Auto-BCC (optional)").inputValue()).toBe("copies@help.wayne.test");
    expect(await getDb().route.count({ where: { organizationId: own.organizationId, pattern: "netfail-one" } })).toBe(0);

    await restore();
    await save.click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await getDb().route.count({ where: { organizationId: own.organizationId, pattern: "netfail-one" } })).toBe(1);
    await context.close();
  }, 240_000);
});

describeInBrowser("an error found by the server", () => {
  it("is brought into view and focused, at 390 px with the dialog scrolled to its save button", async () => {
    await routeOf("taken");
    const { context, page } = await signedIn(ADMIN, { width: 390, height: 844 });
    await page.goto("/routes");
    await page.getByRole("button", { name: "New route" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New route" });
    await dialog.getByLabel("Address", { exact: true }).fill("Taken");
    await dialog.getByLabel("Domain", { exact: true }).selectOption({ label: "help.wayne.test" });
    await dialog.getByLabel("Queue", { exact: true }).selectOption({ label: "Support" });
    await dialog.getByLabel("From name").fill("Wayne Help");
    await dialog.getByLabel("History inclusion").scrollIntoViewIfNeeded();
    await dialog.getByRole("button", { name: "Create route" }).click();

    const address = dialog.getByLabel("Address", { exact: true });
    await expect.poll(() => address.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("route-pattern");
    await expect.poll(() => inViewport(page, address)).toBe(true);
    await screenshot(page, "route-dialog-server-error-390");
    await context.close();
  }, 240_000);
});

describeInBrowser("closing while a save is on its way", () => {
  it("does not offer to discard a change that is being saved: the save closes the dialog", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "New route" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New route" });
    await dialog.getByLabel("Address", { exact: true }).fill("esc-pending");
    await dialog.getByLabel("Domain", { exact: true }).selectOption({ label: "help.wayne.test" });
    await dialog.getByLabel("Queue", { exact: true }).selectOption({ label: "Support" });
    await dialog.getByLabel("From name").fill("Wayne Help");
    // Saves take three seconds.
    await page.route("**/*", async (route) => {
      if (route.request().method() === "POST" && route.request().headers()["next-action"]) await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.fallback();
    });
    await dialog.getByRole("button", { name: "Create route" }).click();
    await page.keyboard.press("Escape");
    expect(await page.getByRole("dialog", { name: "Discard your changes?" }).count()).toBe(0);
    expect(await dialog.getByRole("button", { name: "Cancel" }).isDisabled()).toBe(true);
    await screenshot(page, "route-dialog-saving-escape");
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);
    expect(await page.getByRole("dialog", { name: "Discard your changes?" }).count()).toBe(0);
    expect(await getDb().route.count({ where: { organizationId: own.organizationId, pattern: "esc-pending" } })).toBe(1);
    await context.close();
  }, 240_000);
});

describeInBrowser("the route's reply source", () => {
  it("asks for the other route, or the address, rather than saving a reply source left empty", async () => {
    const db = getDb();
    const route = await routeOf("replies");
    await db.route.update({ where: { id: route.id }, data: { fromEmail: "answers@help.wayne.test" } });
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByRole("button", { name: "Edit replies@help.wayne.test" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByRole("textbox", { name: "From email" }).inputValue()).toBe("answers@help.wayne.test");

    await dialog.getByRole("radio", { name: "Another route's address" }).check();
    await dialog.getByRole("button", { name: "Save route" }).click();
    await dialog.getByText("Choose the route whose address replies come from").first().waitFor();
    expect(await dialog.count()).toBe(1);

    await dialog.getByRole("radio", { name: "Another address on a verified domain (From email)" }).check();
    await dialog.getByRole("button", { name: "Save route" }).click();
    await dialog.getByText("Enter the address replies come from, or choose this route's own address").first().waitFor();
    await screenshot(page, "route-dialog-reply-source-missing");
    expect((await db.route.findUniqueOrThrow({ where: { id: route.id } })).fromEmail).toBe("answers@help.wayne.test");
    await context.close();
  }, 240_000);
});

/** A sender name with no space to break at, as the other admin saves it. */
const THEIR_NAME = "TheirVeryLongSenderNameWithoutAnySpacesWhichMustWrapOnAPhone";

describeInBrowser("two admins editing one route", () => {
  it("merges changes to different fields without asking, and shows theirs and yours for a field both changed", async () => {
    const db = getDb();
    const route = await routeOf("shared");
    const first = await signedIn(ADMIN);
    const second = await signedIn(SECOND);
    for (const { page } of [first, second]) {
      await page.goto("/routes");
      await page.getByRole("button", { name: "Edit shared@help.wayne.test" }).click();
    }
    const mine = first.page.getByRole("dialog");
    const theirs = second.page.getByRole("dialog");

    // Different fields: the second admin changes the queue, the first the sender name.
    await theirs.getByLabel("Queue", { exact: true }).selectOption({ label: "Billing" });
    await theirs.getByRole("button", { name: "Save route" }).click();
    await expect.poll(() => theirs.count()).toBe(0);
    await mine.getByLabel("From name").fill("Wayne Help");
    await mine.getByRole("button", { name: "Save route" }).click();
    await expect.poll(() => mine.count()).toBe(0);
    expect(await db.route.findUniqueOrThrow({ where: { id: route.id } })).toMatchObject({ queueId: own.queueIds.Billing, fromName: "Wayne Help", version: 3 });

    // The same field: both change the sender name; the first also changes the priority.
    for (const { page } of [first, second]) {
      await page.reload();
      await page.getByRole("button", { name: "Edit shared@help.wayne.test" }).click();
      await page.getByRole("dialog").waitFor();
    }
    await theirs.getByLabel("From name").fill(THEIR_NAME);
    await theirs.getByRole("button", { name: "Save route" }).click();
    await expect.poll(() => theirs.count()).toBe(0);
    await mine.getByLabel("From name").fill("My name");
    await mine.getByLabel("Priority").selectOption("8");
    await mine.getByRole("button", { name: "Save route" }).click();

    const notice = mine.getByTestId("conflict-notice");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("second@wayne-edit.example changed a field of this route that you changed too.");
    const conflict = notice.getByTestId("conflict-field");
    expect(await conflict.count()).toBe(1);
    expect(await notice.getByRole("group", { name: "From name" }).count()).toBe(1);
    // Theirs is chosen until the admin says otherwise, and the form shows it.
    expect(await notice.getByRole("radio", { name: `Theirs: ${THEIR_NAME}` }).isChecked()).toBe(true);
    expect(await mine.getByLabel("From name").inputValue()).toBe(THEIR_NAME);
    expect(await mine.getByLabel("Priority").inputValue()).toBe("8");
    expect(await db.route.findUniqueOrThrow({ where: { id: route.id } })).toMatchObject({ fromName: THEIR_NAME, priority: 5 });
    await screenshot(first.page, "route-conflict-1280");
    await first.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(first.page, "route-conflict-390");
    // A long value without spaces wraps inside its fieldset instead of pushing the dialog wider.
    expect(await mine.evaluate((dialog) => dialog.scrollWidth - dialog.clientWidth)).toBeLessThanOrEqual(0);
    await first.page.setViewportSize({ width: 1280, height: 800 });

    await notice.getByRole("radio", { name: "Yours: My name" }).check();
    expect(await mine.getByLabel("From name").inputValue()).toBe("My name");
    await mine.getByRole("button", { name: "Save route" }).click();
    await expect.poll(() => mine.count()).toBe(0);
    expect(await db.route.findUniqueOrThrow({ where: { id: route.id } })).toMatchObject({ fromName: "My name", priority: 8, queueId: own.queueIds.Billing });
    await first.context.close();
    await second.context.close();
  }, 240_000);
});

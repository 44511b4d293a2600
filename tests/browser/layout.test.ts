import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { NAV_ITEMS } from "@/components/shell/nav-items";

import { describeInBrowser, newClient, screenshot, setUpBrowser, setUpMailTestApp, signedInClient } from "../support/browser";
import { PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { PLATFORM_DOMAIN } from "../support/inbound";
import { createCustomDomain, eventually } from "../support/jobs";
import { message, sendMail } from "../support/smtp";

/**
 * Every console page as an administrator sees it on a phone (390 px) and a laptop (1280 px): nothing
 * scrolls sideways, no action is cut off, and axe finds no WCAG 2.1 A/AA violation — on the pages and
 * on the dialogs they open. Then the phone's menu and where toasts appear. A console of its own
 * (loopback DNS where sender.test passes SPF) holding one received message, a pending custom domain
 * and notifications, so every page has something on it and nothing depends on other test files.
 */
const browser = setUpBrowser();

const ADMIN = { email: "admin@acme.example", password: "acme-admin-password" };
const WIDTHS = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } } as const;
const SUPPORT = `support@acme.${PLATFORM_DOMAIN}`;
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

let messageId = "";
let domainId = "";

const app = setUpMailTestApp(async ({ smtpPort }) => {
  const db = getDb();
  const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
  const domain = await createCustomDomain(db, acme.id, "help.acme.test", PLATFORM_TEST_SETTINGS);
  domainId = domain.id;
  // One of each kind the Notifications page styles differently.
  for (const [kind, title] of [
    ["domain.verified", "help.acme.test is verified"],
    ["domain.grace", "help.acme.test lost a record"],
    ["domain.degraded", "help.acme.test is degraded"],
    ["domain.recovered", "help.acme.test recovered"],
  ] as const) {
    await db.notification.create({ data: { organizationId: acme.id, domainId, kind, title, body: `${title}: see the domain page.` } });
  }
  // The gateway starts with the console; it may take a moment to listen.
  const sent = await eventually(
    "the gateway to accept a message",
    async () => {
      try {
        return await sendMail(smtpPort, {
          from: "customer@sender.test",
          to: [SUPPORT],
          helo: "mail.sender.test",
          message: message({ to: SUPPORT, subject: "Where is order 4711?", body: "My order has not arrived." }),
        });
      } catch {
        return null;
      }
    },
    30_000,
  );
  messageId = /queued as ([0-9a-f-]{36})/.exec(sent.data?.text ?? "")?.[1] ?? "";
  expect(messageId, sent.data?.text).not.toBe("");
});

const signedIn = (viewport: { width: number; height: number }) => signedInClient(browser(), ADMIN, viewport, app().url);

/** Waits for the page's heading and for its data requests to settle. */
async function settled(page: Page): Promise<void> {
  await page.locator("h1").first().waitFor();
  await page.waitForLoadState("networkidle").catch(() => undefined);
}

/** axe's WCAG 2.1 A/AA violations on what is on screen now, as "rule: target" lines (empty when none). */
async function axeViolations(page: Page, include?: string): Promise<string[]> {
  // label-content-name-mismatch (WCAG 2.5.3) is among axe's experimental rules, off unless asked for.
  // options() replaces what withTags() set, so it comes first. Legacy mode runs axe.run() in the
  // page itself: the default injects axe into every frame and again into a blank page it opens to
  // merge the frames' results, which took twice as long a page here (~1.8 s against ~0.9 s). The
  // console has no cross-origin frames, the one thing only the default would reach.
  let builder = new AxeBuilder({ page })
    .options({ rules: { "label-content-name-mismatch": { enabled: true } } })
    .withTags(WCAG_21_AA)
    .setLegacyMode();
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`));
}

/** What does not fit: the page wider than the window, or buttons and links cut off by the window or a scrolling box. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width) problems.push(`page is ${document.documentElement.scrollWidth} px wide in a ${width} px window`);
    const main = document.querySelector("main") ?? document.body;
    for (const element of main.querySelectorAll<HTMLElement>("a[href], button")) {
      const rect = element.getBoundingClientRect();
      // Not rendered (display: none) or visually hidden on purpose (sr-only).
      if (rect.width <= 1 || rect.height <= 1 || getComputedStyle(element).visibility === "hidden") continue;
      const name = `${element.tagName.toLowerCase()} "${(element.getAttribute("aria-label") ?? element.textContent ?? "").trim().slice(0, 40)}"`;
      if (rect.left < -0.5 || rect.right > width + 0.5) {
        problems.push(`${name} spans ${Math.round(rect.left)}–${Math.round(rect.right)} px of ${width}`);
        continue;
      }
      for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
        if (getComputedStyle(box).overflowX === "visible") continue;
        const clip = box.getBoundingClientRect();
        if (rect.left < clip.left - 0.5 || rect.right > clip.right + 0.5) {
          problems.push(`${name} is cut off by a scrolling box (${Math.round(rect.left)}–${Math.round(rect.right)} px, box ${Math.round(clip.left)}–${Math.round(clip.right)} px)`);
          break;
        }
      }
    }
    return problems;
  });
}

function consolePages(): { name: string; path: string }[] {
  return [
    { name: "overview", path: "/" },
    { name: "setup", path: "/setup" },
    { name: "domains", path: "/domains" },
    { name: "domain", path: `/domains/${domainId}` },
    { name: "routes", path: "/routes" },
    { name: "queues", path: "/queues" },
    { name: "messages", path: "/messages" },
    { name: "message", path: `/messages/${messageId}` },
    { name: "notifications", path: "/notifications" },
    { name: "audit", path: "/audit" },
    { name: "api-keys", path: "/settings/api-keys" },
    { name: "api-reference", path: "/settings/api-reference" },
  ];
}

describeInBrowser("layout and accessibility of every page", () => {
  it.each(Object.entries(WIDTHS))("fits every page into the %s's width with every action visible, and axe finds no WCAG 2.1 A/AA violation", async (label, viewport) => {
    const layout: Record<string, string[]> = {};
    const axe: Record<string, string[]> = {};
    const signedOut = await newClient(browser(), viewport, app().url);
    await signedOut.page.goto("/signin");
    await settled(signedOut.page);
    layout.signin = await layoutProblems(signedOut.page);
    axe.signin = await axeViolations(signedOut.page);
    await screenshot(signedOut.page, `layout-signin-${viewport.width}`);
    await signedOut.context.close();

    const { context, page } = await signedIn(viewport);
    for (const { name, path } of consolePages()) {
      const response = await page.goto(path);
      expect(response?.status(), `${path} at ${label}`).toBe(200);
      await settled(page);
      layout[name] = await layoutProblems(page);
      axe[name] = await axeViolations(page);
      await screenshot(page, `layout-${name}-${viewport.width}`);
    }
    await context.close();

    expect(axe).toEqual(Object.fromEntries(Object.keys(axe).map((key) => [key, []])));
    expect(layout).toEqual(Object.fromEntries(Object.keys(layout).map((key) => [key, []])));
  }, 300_000);

  it("has no WCAG 2.1 A/AA violation in the route, import and delete dialogs", async () => {
    const found: Record<string, string[]> = {};
    for (const viewport of Object.values(WIDTHS)) {
      const { context, page } = await signedIn(viewport);
      await page.goto("/routes");
      await settled(page);
      const dialog = page.getByRole("dialog");

      await page.getByRole("button", { name: "New route" }).first().click();
      await dialog.waitFor();
      found[`route-dialog-${viewport.width}`] = await axeViolations(page);
      await screenshot(page, `layout-route-dialog-${viewport.width}`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });

      await page.getByRole("button", { name: "Import CSV" }).click();
      await dialog.waitFor();
      found[`import-dialog-${viewport.width}`] = await axeViolations(page);
      await screenshot(page, `layout-import-dialog-${viewport.width}`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });

      await page.getByRole("button", { name: `Delete ${SUPPORT}` }).click();
      await dialog.waitFor();
      found[`delete-dialog-${viewport.width}`] = await axeViolations(page);
      await screenshot(page, `layout-delete-dialog-${viewport.width}`);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      await context.close();
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  }, 180_000);

  it("names a favicon that the server answers with, signed out too", async () => {
    const { context, page } = await newClient(browser(), WIDTHS.laptop, app().url);
    await page.goto("/signin");
    const href = await page.locator('head link[rel="icon"]').first().getAttribute("href");
    expect(href).toMatch(/^\/icon/);
    const icon = await context.request.get(href!, { maxRedirects: 0 });
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toContain("image/svg+xml");
    await context.close();
  });

  it("reaches every section from the menu at 390 px, with the bell and the account menu in the header", async () => {
    const { context, page } = await signedIn(WIDTHS.phone);
    await settled(page);
    const menuButton = page.getByRole("button", { name: "Menu", exact: true });
    const menu = page.getByRole("dialog");
    // No sidebar on a phone: the sections are behind the menu button.
    expect(await page.getByRole("navigation", { name: "Main" }).isVisible()).toBe(false);
    await menuButton.click();
    await menu.waitFor();
    expect(await menu.getByRole("link").allTextContents()).toEqual(NAV_ITEMS.map((item) => item.label));
    await screenshot(page, "layout-menu-390");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "hidden" });

    for (const { href, label } of [...NAV_ITEMS].reverse()) {
      await menuButton.click();
      await menu.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(href);
      // Choosing a section closes the menu, and the page is there.
      await menu.waitFor({ state: "hidden" });
      await settled(page);
      for (const control of [page.getByTestId("notification-bell"), page.getByTestId("user-menu"), menuButton]) {
        const box = await control.boundingBox();
        expect(box, `${label}: header control`).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTHS.phone.width);
      }
    }
    await context.close();
  });

  it.each(Object.entries(WIDTHS))("shows toasts on the %s clear of the bell, the account menu and a dialog's close button, and not on the next page", async (label, viewport) => {
    const { context, page } = await signedIn(viewport);
    await page.goto("/queues");
    await settled(page);
    const toastItem = page.locator("[data-sonner-toast]");
    const name = `Toast ${label}`;
    await page.getByRole("button", { name: "New queue" }).first().click();
    await page.getByRole("dialog").getByLabel("Name").fill(name);
    await page.getByRole("dialog").getByRole("button", { name: "Create queue" }).click();
    await toastItem.filter({ hasText: name }).waitFor();
    // A pointer over the toast holds it (sonner pauses while hovered): from here on it leaves only if something dismisses it.
    await toastItem.first().hover();

    /** Whether the control is what a click at its centre reaches, and the toast's box stays off it. */
    const uncovered = async (control: Locator) => {
      const box = (await control.boundingBox())!;
      const toastBox = (await toastItem.first().boundingBox())!;
      const overlaps = box.x < toastBox.x + toastBox.width && toastBox.x < box.x + box.width && box.y < toastBox.y + toastBox.height && toastBox.y < box.y + box.height;
      const reached = await control.evaluate((element) => {
        const rect = element.getBoundingClientRect();
        const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
        return hit !== null && element.contains(hit);
      });
      return { overlaps, reached };
    };
    for (const control of [page.getByTestId("notification-bell"), page.getByTestId("user-menu")]) {
      expect(await uncovered(control)).toEqual({ overlaps: false, reached: true });
    }

    // A dialog opened by keyboard while the toast shows: its close button stays uncovered.
    await page.getByRole("button", { name: "New queue" }).first().focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await toastItem.count()).toBeGreaterThan(0);
    expect(await uncovered(dialog.getByRole("button", { name: "Close" }))).toEqual({ overlaps: false, reached: true });
    await screenshot(page, `layout-toast-dialog-${viewport.width}`);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await toastItem.count()).toBeGreaterThan(0);

    // Leaving for another section (by keyboard, the pointer still holding the toast) takes the toast away.
    if (viewport.width < 1024) {
      await page.getByRole("button", { name: "Menu", exact: true }).focus();
      await page.keyboard.press("Enter");
    }
    const routesLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Routes", exact: true });
    await routesLink.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/routes");
    await settled(page);
    await expect.poll(() => toastItem.count()).toBe(0);
    await context.close();
  });
});

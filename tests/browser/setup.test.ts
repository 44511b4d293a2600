import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { expectedFromStored } from "@/lib/domains/expected-records";

import { describeInBrowser, newClient, screenshot, setUpBrowser, signedInClient, signIn } from "../support/browser";
import { asPublished, PLATFORM_TEST_ZONE } from "../support/dns-publish";
import { loopbackDnsEnv, startDnsWorld, type DnsWorld } from "../support/dns-server";
import { startTestApp, type TestApp } from "../support/test-app";

/**
 * Every routing scenario end to end in Chromium, against a console whose DNS questions go to
 * loopback DNS servers this test controls (publishing records as an admin would at their host).
 */
const browser = setUpBrowser();
let world: DnsWorld;
let app: TestApp;

beforeAll(async () => {
  if (!inject("chromium")) return;
  world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }, { origin: "copies.test" }, { origin: "doubled.test" }] });
  app = await startTestApp(inject("pgAdminUrl"), loopbackDnsEnv(world));
  selectDatabase(app.databaseUrl);
});

afterAll(async () => {
  await disconnectDb();
  await app?.stop();
  await world?.close();
});

const adminPage = (viewport?: { width: number; height: number }) =>
  signedInClient(browser(), { email: "admin@acme.example", password: "acme-admin-password" }, viewport, app.url);

async function answer(page: Page, question: RegExp, choice: "Yes" | "No") {
  await page.getByRole("group", { name: question }).getByText(choice, { exact: true }).click();
}

/** Opens the wizard at its first step, whatever step an earlier test left it at. */
async function openWizardAtStart(page: Page) {
  await page.goto("/setup");
  await page.getByRole("heading", { level: 2 }).first().waitFor();
  const startOver = page.getByRole("button", { name: /^(Start over|Set up another domain)$/ });
  if ((await startOver.count()) > 0) await startOver.first().click();
  await stepHeading(page, "Scenario");
}

async function chooseScenario(page: Page, scenario: string) {
  await openWizardAtStart(page);
  await page.locator(`[data-scenario="${scenario}"]`).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

/** Scenarios 1 and 2: the own domain typed on the Domain step, registered once it is available. */
async function registerOwnDomain(page: Page, scenario: "own_domain" | "own_domain_with_copies", name: string) {
  await chooseScenario(page, scenario);
  await page.getByLabel("Your domain or subdomain").fill(name);
  await page.getByText("Available", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Register domain" }).click();
}

async function stepHeading(page: Page, name: string) {
  await page.getByRole("heading", { level: 2, name, exact: true }).waitFor();
}

async function publishRecordsOf(domainName: string) {
  const domain = await getDb().domain.findUniqueOrThrow({ where: { name: domainName }, include: { records: { orderBy: { position: "asc" } } } });
  world.publish(...asPublished(domain.records.map(expectedFromStored)));
}

async function mapAddress(page: Page, pattern: string, queue: { existing: string } | { create: string }) {
  await page.getByLabel("Address", { exact: true }).fill(pattern);
  if ("create" in queue) {
    await page.getByLabel("Queue", { exact: true }).selectOption({ label: "+ Create a new queue…" });
    await page.getByLabel("New queue's name").fill(queue.create);
  } else {
    await page.getByLabel("Queue", { exact: true }).selectOption({ label: queue.existing });
  }
  await page.getByRole("button", { name: "Add address" }).click();
  await page
    .getByRole("table", { name: "Mapped addresses" })
    .getByText(new RegExp(`^${pattern}@`))
    .waitFor()
    .catch(async (error: Error) => {
      // Say what the step shows instead (an error next to a field, another step), not only that the row is missing.
      throw new Error(`${error.message}\nat ${page.url()}: ${(await page.locator("main").innerText()).slice(0, 1500)}`);
    });
}

describeInBrowser("set-up wizard", () => {
  it("scenario 1: recommends it, registers the domain, and goes from pending to verified once the records are published", async () => {
    const { context, page } = await adminPage();
    await page.goto("/setup");
    await answer(page, /Do customers already write/, "Yes");
    await answer(page, /Are those addresses on a subdomain/, "Yes");
    await answer(page, /Do you need a copy/, "No");
    await answer(page, /Can you \(or your IT team\)/, "Yes");
    expect(await page.getByTestId("recommendation").textContent()).toContain("We recommend scenario 1: Your own domain.");
    await page.locator('[data-scenario="own_domain"]').click();
    await screenshot(page, "wizard-1-scenario");
    await page.getByRole("button", { name: "Continue" }).click();

    await stepHeading(page, "Domain");
    const input = page.getByLabel("Your domain or subdomain");
    await input.fill("help_desk.acme.test");
    await page.getByText('"help_desk" contains an underscore, which host names cannot have').waitFor();
    await input.fill("help.acme.test");
    await page.getByText("Available", { exact: true }).waitFor();
    await screenshot(page, "wizard-1-domain");
    await page.getByRole("button", { name: "Register domain" }).click();

    await stepHeading(page, "DNS records");
    const names = await page.getByTestId("relative-name").allTextContents();
    expect(names).toEqual(["_email-routing.help", "help", "help", "help", "erc1._domainkey.help", "_dmarc.help"]);
    await screenshot(page, "wizard-1-dns-records");

    // Leaving and coming back: the set-up is listed as unfinished and continues where it was.
    await page.goto("/queues");
    await page.goto("/setup");
    await page.getByRole("link", { name: "Resume help.acme.test" }).click();
    await stepHeading(page, "DNS records");
    await page.getByRole("button", { name: "I have published them: verify" }).click();

    await stepHeading(page, "Verify");
    await page.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => page.locator('li[data-record-kind="ownership"]').getAttribute("data-verdict"), { timeout: 15_000 }).toBe("failed");
    await screenshot(page, "wizard-1-verify-pending");

    await publishRecordsOf("help.acme.test");
    await page.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => page.locator('li[data-record-kind="ownership"]').getAttribute("data-verdict"), { timeout: 15_000 }).toBe("verified");
    for (const kind of ["mx", "spf", "dkim"]) {
      expect(await page.locator(`li[data-record-kind="${kind}"]`).first().getAttribute("data-verdict")).toBe("verified");
    }
    await page.locator("#verification-heading").getByText("Verified").waitFor();
    await screenshot(page, "wizard-1-verified");
    await page.getByRole("button", { name: "Continue", exact: true }).click();

    await stepHeading(page, "Addresses");
    await mapAddress(page, "support", { create: "Support" });
    const row = page.getByRole("table", { name: "Mapped addresses" }).getByRole("row", { name: /support@help\.acme\.test/ });
    expect(await row.textContent()).toContain("Active");
    await screenshot(page, "wizard-1-addresses");
    await page.getByRole("button", { name: "Continue" }).click();

    await stepHeading(page, "Finish");
    expect(await page.getByRole("heading", { name: "Nothing pending" }).count()).toBe(1);
    expect(await page.textContent("main")).toContain("support@help.acme.test → Support");
    await screenshot(page, "wizard-1-finish");
    await context.close();
  });

  it("names a record created with the zone appended twice, and what to type instead", async () => {
    const { context, page } = await adminPage();
    await registerOwnDomain(page, "own_domain", "help.doubled.test");
    await stepHeading(page, "DNS records");
    const domain = await getDb().domain.findUniqueOrThrow({ where: { name: "help.doubled.test" }, include: { records: true } });
    const ownership = domain.records.find((record) => record.kind === "ownership")!;
    world.publish({ name: `${ownership.name}.doubled.test`, type: "TXT", data: ownership.value });
    await page.getByRole("button", { name: "I have published them: verify" }).click();
    await page.getByRole("button", { name: "Check now" }).click();
    const diagnosis = page.locator('li[data-record-kind="ownership"] [data-diagnosis="doubled_zone_suffix"]');
    await diagnosis.waitFor({ timeout: 15_000 });
    expect(await diagnosis.textContent()).toContain(
      "Your DNS host added doubled.test to the name you typed: the record is at _email-routing.help.doubled.test.doubled.test. Enter only _email-routing.help as the name",
    );
    await screenshot(page, "wizard-doubled-suffix");
    await context.close();
  });

  it("scenario 3: a name under the platform domain needs no DNS step", async () => {
    const { context, page } = await adminPage();
    await chooseScenario(page, "platform_domain");
    const steps = await page.getByRole("navigation", { name: "Set-up steps" }).getByRole("listitem").allTextContents();
    expect(steps.map((text) => text.replace(/^\d+|\(done\)/g, "").trim())).toEqual(["Scenario", "Domain", "Addresses", "Finish"]);
    await page.getByLabel("Your name under the platform domain").fill("acme");
    await page.getByText("Available", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Register name" }).click();
    await stepHeading(page, "Addresses");
    await mapAddress(page, "help", { existing: "Support" });
    await screenshot(page, "wizard-3-addresses");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Finish");
    expect(await page.textContent("main")).toContain("help@acme.routing.platform.test → Support");
    await context.close();
  });

  it("domain step: normalises what is typed and says why a name cannot be had (already yours, reserved, too short, invisible characters)", async () => {
    const { context, page } = await adminPage();
    await chooseScenario(page, "platform_domain");
    const label = page.getByLabel("Your name under the platform domain");
    const register = page.getByRole("button", { name: "Register name" });
    // Scenario 3 registered "acme": however it is written, it is this organisation's already.
    await label.fill("ＡＣＭＥ");
    await page.getByText("acme.routing.platform.test is already yours: your organisation registered it earlier.").waitFor();
    expect(await register.isDisabled()).toBe(true);
    await label.fill("WWW");
    await page.getByText(`"www" is reserved for the platform's own use. Choose another name, such as your company name.`).waitFor();
    expect(await register.isDisabled()).toBe(true);
    await label.fill("ab");
    await label.blur();
    await page.getByText("Use at least 3 characters").waitFor();
    await label.fill(" Acme-Help ");
    await page.getByText(/registered as acme-help\.routing\.platform\.test/).waitFor();
    expect(await page.textContent("main")).toContain("support@acme-help.routing.platform.test");
    await screenshot(page, "wizard-platform-label-normalised");
    await register.click();
    await stepHeading(page, "Addresses");
    expect(await getDb().domain.count({ where: { name: "acme-help.routing.platform.test", platformLabel: "acme-help" } })).toBe(1);

    await chooseScenario(page, "own_domain");
    const domain = page.getByLabel("Your domain or subdomain");
    await domain.fill("ｈｅｌｐ.ＡＣＭＥ.test");
    await page.getByText("You have already registered this domain: it is already yours").waitFor();
    await domain.fill("he\u200blp.acme.test");
    await page.getByText("The name contains an invisible or control character, U+200B ZERO WIDTH SPACE (character 3). Type the name again rather than pasting it").waitFor();
    await domain.fill("xn--abc.acme.test");
    await page.getByText('"xn--abc" is not a valid internationalised label: what follows xn-- must be punycode that decodes to Unicode').waitFor();
    await screenshot(page, "wizard-domain-invalid-idn");
    await context.close();
  });

  it("scenario 2: lists the exact redirect for each mapped address, with instructions per mail system", async () => {
    const { context, page } = await adminPage();
    await registerOwnDomain(page, "own_domain_with_copies", "help.copies.test");
    await page.getByRole("button", { name: "I have published them: verify" }).click();
    await page.getByRole("button", { name: "Continue while we keep checking" }).click();
    await stepHeading(page, "Addresses");
    await mapAddress(page, "sales", { existing: "Support" });
    expect(await page.getByRole("table", { name: "Mapped addresses" }).textContent()).toContain("Pending");
    await page.getByRole("button", { name: "Continue" }).click();

    await stepHeading(page, "Redirect rules");
    expect(await page.getByLabel("The domain customers write to today").inputValue()).toBe("copies.test");
    const rules = await page.getByTestId("redirect-rule").allTextContents();
    expect(rules).toEqual([expect.stringMatching(/^sales@copies\.test.*sales@help\.copies\.test/)]);
    // Each mail system's rule keeps the delivery to the admin's mailbox and adds ours, and says who the sender is.
    const exchange = await page.getByTestId("exchange-rule").textContent();
    expect(exchange).toContain("The recipient › is this personsales@copies.test");
    expect(exchange).toContain("Add recipients › to the Bcc boxsales@help.copies.test");
    expect(await page.getByRole("tabpanel").getByTestId("what-arrives").textContent()).toContain("From and Reply-To are the customer's");
    await screenshot(page, "wizard-2-redirects-exchange");
    await page.getByRole("tab", { name: "Google Workspace" }).click();
    expect(await page.getByTestId("google-rule").textContent()).toContain("Add more recipients › Add › Basicsales@help.copies.test");
    await page.getByRole("tab", { name: "Postfix" }).click();
    expect(await page.getByRole("tabpanel").textContent()).toMatch(/sales@copies\.test\s+sales@copies\.test, sales@help\.copies\.test/);
    expect(await page.getByRole("tabpanel").textContent()).toContain("virtual_alias_maps = hash:/etc/postfix/virtual");
    await screenshot(page, "wizard-2-redirects");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Finish");
    expect(await page.textContent("main")).toContain("Create the redirect rule on your mail server for each address on copies.test");
    await context.close();
  });

  it("scenario 4, by keyboard alone on a phone-sized screen: redirects to the platform domain", async () => {
    const { context, page } = await adminPage({ width: 390, height: 844 });
    await openWizardAtStart(page);

    const tabTo = async (matches: () => Promise<boolean>) => {
      for (let presses = 0; presses < 80; presses++) {
        await page.keyboard.press("Tab");
        if (await matches()) return;
      }
      throw new Error("could not reach the control by keyboard");
    };
    const focused = (selector: string) => () => page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);

    await tabTo(focused('input[name="scenario"]'));
    for (let moves = 0; moves < 3; moves++) await page.keyboard.press("ArrowDown");
    expect(await page.locator('input[value="platform_domain_with_copies"]').isChecked()).toBe(true);
    await tabTo(() => page.evaluate(() => document.activeElement?.textContent?.trim() === "Continue"));
    await page.keyboard.press("Enter");
    await stepHeading(page, "Domain");
    await tabTo(focused("#platform-label"));
    // The longest name allowed still fits the phone's width in the hint below the field.
    const longest = "a".repeat(63);
    await page.keyboard.type(longest);
    await page.getByText(`support@${longest}.routing.platform.test`).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "wizard-4-longest-label-phone");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("acme-copies");
    await page.getByText("Available", { exact: true }).waitFor();
    await page.keyboard.press("Enter");
    await stepHeading(page, "Addresses");
    await tabTo(focused("#route-pattern"));
    await page.keyboard.type("billing");
    await page.keyboard.press("Enter");
    await page.getByRole("table", { name: "Mapped addresses" }).getByText("billing@acme-copies.routing.platform.test").waitFor();
    await tabTo(() => page.evaluate(() => document.activeElement?.textContent?.trim() === "Continue"));
    await page.keyboard.press("Enter");
    await stepHeading(page, "Redirect rules");
    await tabTo(focused("#original-domain"));
    await page.keyboard.type("acme-corp.example");
    const rules = await page.getByTestId("redirect-rule").allTextContents();
    expect(rules).toEqual([expect.stringMatching(/^billing@acme-corp\.example.*billing@acme-copies\.routing\.platform\.test/)]);
    await screenshot(page, "wizard-4-redirects-phone");
    await context.close();
  });

  it("domain pages: statuses per record group in the list; the page re-checks; deleting needs the name typed and the routes let go", async () => {
    // Uses the domains the scenarios above registered.
    const { context, page } = await adminPage();
    await page.goto("/domains");
    const row = page.getByRole("row", { name: /help\.acme\.test/ });
    expect(await row.locator("[data-status]").getAttribute("data-status")).toBe("verified");
    expect(await row.locator("[data-verdict]").evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-verdict")))).toEqual([
      "verified",
      "verified",
      "verified",
    ]);
    const pendingRow = page.getByRole("row", { name: /help\.copies\.test/ });
    expect(await pendingRow.locator("[data-status]").getAttribute("data-status")).toBe("pending");
    await screenshot(page, "domains-list");

    await page.getByRole("link", { name: "help.copies.test" }).click();
    await page.getByRole("heading", { level: 1, name: /help\.copies\.test/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/domains/help.copies.test");
    await publishRecordsOf("help.copies.test");
    await page.getByRole("button", { name: "Check now" }).click();
    await page.locator("#verification-heading").getByText("Verified").waitFor({ timeout: 15_000 });
    await screenshot(page, "domain-page-verified");

    await page.getByRole("button", { name: "Delete domain" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete help.copies.test?" });
    const confirm = dialog.getByRole("button", { name: "Delete domain" });
    await dialog.getByLabel(/Type help\.copies\.test to confirm/).fill("help.copies.test");
    expect(await confirm.isDisabled()).toBe(true); // its route must be let go first
    await dialog.getByLabel(/Also delete its 1 route/).check();
    await confirm.click();
    await page.waitForURL(/\/domains$/);
    expect(await page.getByRole("row", { name: /help\.copies\.test/ }).count()).toBe(0);
    await context.close();
  });

  it("a viewer sees the domain's verification but cannot start a check, and is told why", async () => {
    const { context, page } = await newClient(browser(), undefined, app.url);
    await page.goto("/signin");
    await signIn(page, "viewer@acme.example", "acme-viewer-password");
    await page.goto("/domains/help.acme.test");
    await page.locator("#verification-heading").getByText("Verified").waitFor();
    const checkNow = page.getByRole("button", { name: "Check now" });
    expect(await checkNow.isDisabled()).toBe(true);
    expect(await checkNow.getAttribute("title")).toBe("Requires the Routing > Email > Manage permission");
    expect(await page.locator("#check-now-hint").textContent()).toBe("Requires the Routing > Email > Manage permission to check now; checks also run automatically.");
    expect(await checkNow.getAttribute("aria-describedby")).toBe("check-now-hint");
    await screenshot(page, "domain-page-viewer");
    await context.close();
  });
});

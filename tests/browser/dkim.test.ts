import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { rotateDkimKey } from "@/lib/domains/dkim/commands/rotate-dkim-key";
import { generateDkimKey } from "@/lib/domains/dkim/keys";
import { expectedFromStored } from "@/lib/domains/expected-records";

import { describeInBrowser, newClient, screenshot, setUpBrowser, signIn } from "../support/browser";
import { asPublished, PLATFORM_TEST_SETTINGS, PLATFORM_TEST_ZONE } from "../support/dns-publish";
import { loopbackDnsEnv, startDnsWorld, type DnsWorld } from "../support/dns-server";
import { createCustomDomain } from "../support/jobs";
import { startTestApp, TEST_APP_ENV, type TestApp } from "../support/test-app";

/**
 * The domain page's DKIM panel in Chromium, against a console whose DNS questions go to loopback
 * DNS servers this test controls: the self-test passes with the right key published, fails with
 * the reason when another key is, and a rotation shows the new record, switches once it is
 * published and leaves the old key retiring. The tests run in order on one domain.
 */
const browser = setUpBrowser();
let world: DnsWorld;
let app: TestApp;

const DOMAIN = "sign.acme.test";
const ACTIVE_RECORD = `erc1._domainkey.${DOMAIN}`;
const WIDTHS = [1280, 390] as const;

beforeAll(async () => {
  if (!inject("chromium")) return;
  world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });
  app = await startTestApp(inject("pgAdminUrl"), {
    ...loopbackDnsEnv(world),
  });
  selectDatabase(app.databaseUrl);
  const db = getDb();
  const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
  // The key is sealed with the console's SECRETS_KEY, so the console can sign with it.
  const domain = await createCustomDomain(
    db,
    acme.id,
    DOMAIN,
    PLATFORM_TEST_SETTINGS,
    { status: "verified", secretsKey: TEST_APP_ENV.SECRETS_KEY },
  );
  world.publish(...asPublished(domain.records.map(expectedFromStored).filter((record) => record.kind !== "dmarc")));
});

afterAll(async () => {
  await disconnectDb();
  await app?.stop();
  await world?.close();
});

async function signedIn(email: string, password: string, width: number = 1280) {
  const client = await newClient(browser(), { width, height: 900 }, app.url);
  await client.page.goto("/signin");
  await signIn(client.page, email, password);
  await client.page.goto(`/domains/${DOMAIN}`);
  await client.page.getByRole("heading", { name: "DKIM signing key" }).waitFor();
  return client;
}

const panel = (page: Page) => page.getByTestId("dkim-panel");

/** The self-test outcome shown for a key block ("pass", "fail", "temporary_failure" or "none"). */
const outcomeOf = (page: Page, testId: "dkim-active" | "dkim-pending") => page.getByTestId(testId).locator("[data-self-test]").getAttribute("data-self-test");

const sendingVerdict = (page: Page) => page.getByLabel("Summary").locator("[data-verdict]").nth(2).getAttribute("data-verdict");

/** Screenshots of the page as it is, at both widths, the narrow one in a second client. */
async function screenshotsAtBothWidths(page: Page, name: string) {
  await screenshot(page, `${name}-1280`);
  const { context, page: narrow } = await signedIn("admin@acme.example", "acme-admin-password", 390);
  await screenshot(narrow, `${name}-390`);
  await context.close();
}

async function publishDkim(name: string, value: string) {
  world.unpublish(name, "TXT");
  world.publish({ name, type: "TXT", data: value });
}

describeInBrowser("the DKIM panel on the domain page", () => {
  let rightValue = "";

  it("shows the self-test passing when the published key is the one we sign with", async () => {
    const db = getDb();
    const key = await db.dkimKey.findFirstOrThrow({ where: { domain: { name: DOMAIN }, state: "active" } });
    rightValue = `v=DKIM1; k=rsa; p=${key.publicKey}`;
    const { context, page } = await signedIn("admin@acme.example", "acme-admin-password");
    expect(await outcomeOf(page, "dkim-active")).toBe("none");
    await panel(page).getByRole("button", { name: "Run self-test" }).click();
    await expect.poll(() => outcomeOf(page, "dkim-active"), { timeout: 20_000 }).toBe("pass");
    const message = await page.getByTestId("dkim-active").getByTestId("self-test-message").textContent();
    expect(message).toContain(`verified against the key published at ${ACTIVE_RECORD}`);
    // Read as past at once, not "in 6 seconds" until the page's clock next ticks (every 15 s).
    await page.getByTestId("dkim-active").getByText(/\d+ seconds? ago/).waitFor({ timeout: 5_000 });

    // "Check now" self-tests too, and the DKIM verdict joins it: sending is ready.
    await page.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => sendingVerdict(page), { timeout: 20_000 }).toBe("verified");
    await screenshotsAtBothWidths(page, "dkim-self-test-pass");
    await context.close();
  });

  it("shows the self-test failing, with the reason, when another key is published, and withdraws sending readiness", async () => {
    const other = await generateDkimKey(Buffer.alloc(32, 4).toString("base64"));
    await publishDkim(ACTIVE_RECORD, `v=DKIM1; k=rsa; p=${other.publicKey}`);
    const { context, page } = await signedIn("admin@acme.example", "acme-admin-password");
    expect(await sendingVerdict(page)).toBe("verified");
    await panel(page).getByRole("button", { name: "Run self-test" }).click();
    await expect.poll(() => outcomeOf(page, "dkim-active"), { timeout: 20_000 }).toBe("fail");
    expect(await page.getByTestId("dkim-active").getByTestId("self-test-message").textContent()).toBe(
      `The key published at ${ACTIVE_RECORD} does not match the key we sign with, so receivers would reject mail we sign. Replace the record's value with the one shown.`,
    );
    await page.getByTestId("dkim-active").getByText("Self-test failed").waitFor();
    // The verification panel beside it no longer says sending is ready.
    await expect.poll(() => sendingVerdict(page)).toBe("failed");
    await screenshotsAtBothWidths(page, "dkim-self-test-fail");
    await context.close();
  });

  it("rotates: shows the new key's record, switches once it is published, and shows the old key retiring", async () => {
    await publishDkim(ACTIVE_RECORD, rightValue);
    const { context, page } = await signedIn("admin@acme.example", "acme-admin-password");
    await panel(page).getByRole("button", { name: "Run self-test" }).click();
    await expect.poll(() => outcomeOf(page, "dkim-active"), { timeout: 20_000 }).toBe("pass");

    await panel(page).getByRole("button", { name: "Generate a new key" }).click();
    const pending = page.getByTestId("dkim-pending");
    await pending.waitFor({ timeout: 20_000 });
    const selector = (await pending.getAttribute("data-key"))!;
    expect(selector).toMatch(/^erc1-\d{6}$/);
    expect(await pending.getByTestId("dkim-relative-name").textContent()).toBe(`${selector}._domainkey.sign`);
    const value = (await pending.getByTestId("dkim-record-value").textContent())!;
    expect(value).toMatch(/^v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/=]+$/);
    await pending.getByRole("button", { name: `Copy value of the ${selector} DKIM record` }).waitFor();
    const switchButton = pending.getByRole("button", { name: `Switch to ${selector}` });
    expect(await switchButton.isDisabled()).toBe(true);
    // Checked before it is published: not there yet, said plainly, and still no switch.
    await pending.getByRole("button", { name: "Check the new record" }).click();
    await expect.poll(() => outcomeOf(page, "dkim-pending"), { timeout: 20_000 }).toBe("fail");
    expect(await pending.getByTestId("self-test-message").textContent()).toContain(`No DKIM key is published at ${selector}._domainkey.${DOMAIN}`);
    expect(await switchButton.isDisabled()).toBe(true);
    // The records list beside the panel asks for the new record too.
    await page.getByText(`New key ${selector}: publish it, then switch`).waitFor();
    await screenshotsAtBothWidths(page, "dkim-rotation-new-key");

    // The admin publishes it at their DNS host, exactly as shown.
    world.publish({ name: `${selector}._domainkey.${DOMAIN}`, type: "TXT", data: value });
    await pending.getByRole("button", { name: "Check the new record" }).click();
    await expect.poll(() => outcomeOf(page, "dkim-pending"), { timeout: 20_000 }).toBe("pass");
    await expect.poll(() => switchButton.isDisabled()).toBe(false);
    await switchButton.click();

    await expect.poll(() => page.getByTestId("dkim-active").getAttribute("data-key"), { timeout: 20_000 }).toBe(selector);
    const previous = page.getByTestId("dkim-previous").locator('[data-key="erc1"]');
    expect(await previous.locator("[data-key-state]").getAttribute("data-key-state")).toBe("retiring");
    await previous.getByText(`Keep its record ${ACTIVE_RECORD} published until`).waitFor();
    expect(await page.getByTestId("dkim-pending").count()).toBe(0);
    await page.getByText("Previous key erc1: keep it until it is retired").waitFor();
    await screenshotsAtBothWidths(page, "dkim-rotation-switched");
    await context.close();
  });

  it("shows an action's failure next to its button, in words", async () => {
    const { context, page } = await signedIn("admin@acme.example", "acme-admin-password");
    const generate = panel(page).getByRole("button", { name: "Generate a new key" });
    await generate.waitFor();
    // Another administrator starts a rotation while this page is open.
    const db = getDb();
    const domain = await db.domain.findFirstOrThrow({ where: { name: DOMAIN } });
    const admin = await db.user.findFirstOrThrow({ where: { email: "admin@acme.example" } });
    await rotateDkimKey(
      db,
      { organizationId: domain.organizationId, userId: admin.id, email: admin.email },
      domain.id,
      { baseSelector: "erc1", retiringPeriodMs: 7 * 86_400_000, secretsKey: TEST_APP_ENV.SECRETS_KEY, selfTest: { resolvers: [], timeoutMs: 300, deadlineMs: 1000 }, dns: { resolvers: [] } },
    );
    await generate.click();
    const error = page.getByTestId("dkim-rotation").getByRole("alert");
    await expect.poll(() => error.textContent(), { timeout: 20_000 }).toMatch(/^A new key \(erc1-\d{6}-2\) is already waiting to be published\./);
    await screenshot(page, "dkim-rotation-error-1280");
    await context.close();
  });

  it("shows a view-only admin the keys' state without any button", async () => {
    for (const width of WIDTHS) {
      const { context, page } = await signedIn("viewer@acme.example", "acme-viewer-password", width);
      await expect.poll(() => outcomeOf(page, "dkim-active")).toBe("pass");
      expect(await page.getByTestId("dkim-pending").getAttribute("data-key")).toMatch(/^erc1-\d{6}-2$/);
      expect(await page.getByTestId("dkim-previous").locator('[data-key="erc1"] [data-key-state]').getAttribute("data-key-state")).toBe("retiring");
      for (const name of ["Run self-test", "Generate a new key", /^Switch to/, "Check the new record", "Discard new key"]) {
        expect(await panel(page).getByRole("button", { name }).count()).toBe(0);
      }
      // Copying a record is reading, not changing: the copy buttons are the only ones left.
      const buttons = await panel(page).getByRole("button").allTextContents();
      expect(buttons.length).toBeGreaterThan(0);
      expect(buttons.every((text) => text.trim() === "Copy")).toBe(true);
      await screenshot(page, `dkim-viewer-${width}`);
      await context.close();
    }
  });
});

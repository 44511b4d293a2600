import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { findFreePort } from "@/lib/db/embedded-postgres";

import { describeInBrowser, newClient, screenshot, setUpBrowser, signIn } from "../support/browser";
import { PLATFORM_TEST_SETTINGS } from "../support/dns-publish";
import { loopbackDnsEnv, startDnsWorld, type DnsWorld } from "../support/dns-server";
import { createCustomDomain } from "../support/jobs";
import { makeQueue, makeRoute } from "../support/routing-fixtures";
import { startTestApp, type TestApp } from "../support/test-app";

/**
 * "Send a test message" as an admin meets it, on a console running its own inbound gateway and job
 * worker: loopback DNS publishes help.acme.test's MX (our inbound host, on loopback), the worker
 * delivers the message over SMTP to the console's own gateway, and the domain page follows it
 * stage by stage until every one is done.
 */
const browser = setUpBrowser();
let world: DnsWorld;
let app: TestApp;

beforeAll(async () => {
  if (!inject("chromium")) return;
  world = await startDnsWorld({
    zones: [
      { origin: "platform.test", records: [{ name: "inbound-1.platform.test", type: "A", data: "127.0.0.1" }] },
      { origin: "acme.test" },
    ],
  });
  world.publish({ name: "help.acme.test", type: "MX", data: { preference: 10, exchange: "inbound-1.platform.test" } });
  // The console's gateway listens where the MX leads: loopback, on a port the sender is told to use.
  const smtpPort = await findFreePort();
  app = await startTestApp(inject("pgAdminUrl"), {
    ...loopbackDnsEnv(world),
    INBOUND_SMTP_HOST: "127.0.0.1",
    INBOUND_SMTP_PORT: String(smtpPort),
    TEST_MESSAGE_SMTP_PORT: String(smtpPort),
    TEST_MESSAGE_ALLOW_PRIVATE_TARGETS: "true",
    TEST_MESSAGE_TIMEOUT: "1m",
    JOB_POLL_INTERVAL: "500ms",
    WORKER_HEARTBEAT_INTERVAL: "1s",
  });
  selectDatabase(app.databaseUrl);
  const db = getDb();
  const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
  const domain = await createCustomDomain(db, acme.id, "help.acme.test", PLATFORM_TEST_SETTINGS, { status: "verified" });
  const support = await makeQueue(db, acme.id, "Support");
  await makeRoute(db, acme.id, domain, "support", support.id);
});

afterAll(async () => {
  await disconnectDb();
  await app?.stop();
  await world?.close();
});

async function panelScreenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve("test-results/screenshots");
  await mkdir(dir, { recursive: true });
  await page.getByTestId("test-message-panel").screenshot({ path: path.join(dir, `${name}.png`) });
}

const STAGES = ["MX chosen", "SMTP reply", "Hops", "Arrival at our gateway", "Route matched", "Queue"];

/** Waits for the trace to end, then expects it delivered; otherwise the page's diagnosis says why. */
async function expectDelivered(trace: Locator): Promise<void> {
  await trace.waitFor();
  await expect.poll(() => trace.getAttribute("data-state"), { timeout: 60_000 }).not.toBe("in_progress");
  const diagnosis = (await trace.getByTestId("trace-diagnosis").allTextContents()).join(" ");
  expect(await trace.getAttribute("data-state"), diagnosis).toBe("delivered");
}

describeInBrowser("traced test message", () => {
  it("send a test message from the domain page and watch every stage turn green", async () => {
    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.goto("/domains/help.acme.test");
    const panel = page.getByTestId("test-message-panel");
    await panel.getByRole("heading", { name: "Send a test message" }).waitFor();
    const picker = panel.getByLabel("Send to");
    expect(await picker.inputValue()).toBe("support@help.acme.test");

    // Record every state each stage goes through, as the page shows it, from the click on.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { stagesSeen: typeof seen }).stagesSeen = seen;
      const record = () => {
        for (const element of document.querySelectorAll<HTMLElement>("[data-testid=trace-stage]")) {
          const key = element.dataset.stage ?? "";
          const status = element.dataset.status ?? "";
          const list = (seen[key] ??= []);
          if (list.at(-1) !== status) list.push(status);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
    });
    await panel.getByRole("button", { name: "Send a test message" }).click();
    const trace = panel.getByTestId("test-message-trace");
    await expectDelivered(trace);

    const stages = trace.getByTestId("trace-stage");
    expect(await stages.count()).toBe(6);
    for (let index = 0; index < 6; index++) {
      const stage = stages.nth(index);
      expect(await stage.getAttribute("data-status"), STAGES[index]).toBe("done");
      expect(await stage.textContent()).toContain(STAGES[index]!);
      // Each stage shows when it happened, counted from the moment the message was sent.
      expect(await stage.textContent()).toMatch(/\+\d+(\.\d)? s/);
      expect(await stage.locator("svg.text-emerald-600").count(), `${STAGES[index]} is green`).toBe(1);
    }
    await trace.getByText("inbound-1.platform.test (127.0.0.1), preference 10: our inbound host.", { exact: true }).waitFor();
    await trace.getByText("Queued in Support.", { exact: true }).waitFor();
    expect(await trace.getByTestId("trace-diagnosis").getAttribute("data-code")).toBe("delivered");
    const seen = await page.evaluate(() => (window as unknown as { stagesSeen: Record<string, string[]> }).stagesSeen);
    for (const key of ["mx", "smtp", "hops", "arrival", "route", "queue"]) expect(seen[key]?.at(-1), key).toBe("done");
    // The page followed it: the queue stage was not done when the trace first appeared.
    expect(seen.queue?.length, JSON.stringify(seen)).toBeGreaterThan(1);

    await panelScreenshot(page, "test-message-panel-desktop");
    await screenshot(page, "test-message-domain-page");

    // The trace leads to what our gateway stored: the message's page in the Messages log.
    await trace.getByTestId("trace-log-link").click();
    await page.waitForURL(/\/messages\/[0-9a-f-]{36}$/);
    await page.getByText("Support", { exact: true }).first().waitFor();
    await context.close();
  });

  it("send one from the route tester, for the address just tested, and follow it there", async () => {
    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.goto("/routes");
    const tester = page.getByRole("search", { name: "Test an address" });
    await tester.getByLabel("Address to test").fill("Support@help.acme.test");
    await tester.getByRole("button", { name: "Test address" }).click();
    const result = page.getByTestId("tester-result");
    await result.getByText("Routed").waitFor();
    await result.getByRole("button", { name: "Send a test message to support@help.acme.test" }).click();
    const trace = result.getByTestId("test-message-trace");
    await expectDelivered(trace);
    expect(await trace.locator("[data-testid=trace-stage][data-status=done]").count()).toBe(6);
    await screenshot(page, "test-message-route-tester");
    await context.close();
  });

  it("fits a phone: the latest trace opens with the page", async () => {
    const { context, page } = await newClient(browser(), { width: 390, height: 844 }, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.goto("/domains/help.acme.test");
    const trace = page.getByTestId("test-message-panel").getByTestId("test-message-trace");
    await expectDelivered(trace);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await panelScreenshot(page, "test-message-panel-phone");
    await context.close();
  });
});

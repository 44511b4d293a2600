import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { expectedFromStored } from "@/lib/domains/expected-records";

import { describeInBrowser, newClient, screenshot, setUpBrowser, signIn } from "../support/browser";
import { asPublished, PLATFORM_TEST_SETTINGS, PLATFORM_TEST_ZONE } from "../support/dns-publish";
import { loopbackDnsEnv, startDnsWorld, type DnsWorld } from "../support/dns-server";
import { createCustomDomain, eventually } from "../support/jobs";
import { startTestApp, type TestApp } from "../support/test-app";

/**
 * The background checker as an admin meets it: a domain is verified without anyone pressing
 * "Check now", the bell says so, and the webhook settings send a signed test event to a receiver.
 * The console runs its in-process worker with short intervals against loopback DNS servers.
 */
const browser = setUpBrowser();
let world: DnsWorld;
let app: TestApp;
let receiver: http.Server;
const received: string[] = [];

beforeAll(async () => {
  if (!inject("chromium")) return;
  world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "acme.test" }] });
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push(body);
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  app = await startTestApp(inject("pgAdminUrl"), {
    ...loopbackDnsEnv(world),
    CHECK_PENDING_FIRST_INTERVAL: "1s",
    JOB_SWEEP_INTERVAL: "1s",
    JOB_POLL_INTERVAL: "500ms",
    WORKER_HEARTBEAT_INTERVAL: "1s",
    WEBHOOK_ALLOW_LOOPBACK: "true",
  });
  selectDatabase(app.databaseUrl);
});

afterAll(async () => {
  await disconnectDb();
  await app?.stop();
  await world?.close();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
});

describeInBrowser("background checks and notifications", () => {
  it("verify a domain in the background and tell the admin in the bell", async () => {
    const db = getDb();
    const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
    const domain = await createCustomDomain(db, acme.id, "bell.acme.test", PLATFORM_TEST_SETTINGS);
    world.publish(...asPublished(domain.records.map(expectedFromStored).filter((record) => record.kind === "ownership" || record.kind === "mx")));
    // Nobody presses "Check now": the worker's sweep finds the new domain and checks it.
    await eventually("the worker to verify the domain", async () => (await db.domain.findUniqueOrThrow({ where: { id: domain.id } })).status === "verified", 30_000);

    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    const bell = page.getByTestId("notification-bell");
    await expect.poll(() => bell.getAttribute("aria-label")).toBe("Notifications (1 unread)");
    await bell.click();
    const popover = page.getByRole("dialog");
    await popover.getByText("bell.acme.test is verified").waitFor();
    await screenshot(page, "notifications-bell");
    await popover.getByRole("button", { name: "Mark all read" }).click();
    // A server action's round trip: longer than expect.poll's default second on a loaded machine.
    await expect.poll(() => bell.getAttribute("aria-label"), { timeout: 15_000 }).toBe("Notifications");
    expect(await page.getByTestId("notification-count").count()).toBe(0);
    await context.close();
  });

  it("let the admin set up a webhook, reveal its secret and send a signed test event", async () => {
    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "admin@acme.example", "acme-admin-password");
    await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Notifications" }).click();
    await page.getByRole("heading", { name: "Notifications", exact: true }).waitFor();

    await page.getByLabel("Receiver URL").fill("http://10.1.2.3/hook");
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByText("Webhooks cannot be sent to a private network address").waitFor();

    const port = (receiver.address() as AddressInfo).port;
    await page.getByLabel("Receiver URL").fill(`http://127.0.0.1:${port}/hook`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("button", { name: "Reveal" }).click();
    await expect.poll(() => page.getByTestId("webhook-secret").textContent()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect.poll(() => page.getByTestId("webhook-test-result").textContent()).toMatch(/^Delivered: HTTP 200 in \d+ ms\.$/);
    expect(JSON.parse(received.at(-1)!)).toMatchObject({ type: "webhook.test" });
    await page.getByTestId("delivery-log").getByText("webhook.test", { exact: true }).waitFor();
    await screenshot(page, "notifications-webhook-admin");
    await context.close();
  });

  it("show the viewer the webhook read-only, without the secret", async () => {
    const { context, page } = await newClient(browser(), undefined, app.url);
    await signIn(page, "viewer@acme.example", "acme-viewer-password");
    await page.goto("/notifications");
    await page.getByText("You have view-only access").waitFor();
    await page.getByText("Shown only to administrators with the").waitFor();
    expect(await page.getByRole("button", { name: "Reveal" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Send test event" }).count()).toBe(0);
    expect(await page.getByLabel("Receiver URL").getAttribute("readonly")).not.toBeNull();
    await screenshot(page, "notifications-webhook-viewer");
    await context.close();
  });
});

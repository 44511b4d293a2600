import { readFile } from "node:fs/promises";

import nodemailer from "nodemailer";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

import { describeInBrowser, screenshot, setUpBrowser, setUpMailTestApp, signedInClient } from "../support/browser";
import { PLATFORM_DOMAIN } from "../support/inbound";
import { eventually } from "../support/jobs";

/**
 * The Messages log as an administrator meets it: real SMTP (nodemailer) to the console's own
 * in-process gateway delivers one message and has one attempt refused, and the pages show both —
 * list, search, the message with its headers and hops, the refusal and why, the .eml download for a
 * manage user only, and the way in from the Routes page. A console of its own, with loopback DNS
 * where sender.test passes SPF, so the log's checks read as they would for real mail.
 */
const browser = setUpBrowser();

const SUPPORT = `support@acme.${PLATFORM_DOMAIN}`;
const MISSPELT = `suport@acme.${PLATFORM_DOMAIN}`;
const SUBJECT = "Where is order 4711?";
const PHONE = { width: 390, height: 844 };
const WIDE = { width: 1280, height: 900 };

let messageId = "";
let supportRouteId = "";

const app = setUpMailTestApp(async () => {
  supportRouteId = (await getDb().route.findFirstOrThrow({ where: { address: SUPPORT } })).id;
});

const signedIn = (account: "admin" | "viewer", viewport = WIDE) =>
  signedInClient(browser(), { email: `${account}@acme.example`, password: `acme-${account}-password` }, viewport, app().url);

/** Sends over SMTP as a mail server would, retrying until the gateway (started with the console) listens. */
async function sendOverSmtp(mail: nodemailer.SendMailOptions): Promise<{ response?: string; error?: { responseCode?: number; response?: string } }> {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: app().smtpPort, secure: false, ignoreTLS: true, name: "mail.sender.test" });
  try {
    return await eventually(
      "the gateway to answer",
      async () => {
        try {
          const info = await transport.sendMail(mail);
          return { response: info.response };
        } catch (error) {
          const failure = error as { code?: string; responseCode?: number; response?: string };
          if (failure.code === "ECONNREFUSED" || failure.code === "ESOCKET") return null;
          return { error: failure };
        }
      },
      30_000,
    );
  } finally {
    transport.close();
  }
}

function rows(page: Page) {
  return page.getByTestId("messages-table").getByTestId("message-row");
}

describeInBrowser("the Messages log", () => {
  it("starts empty, saying when mail will appear", async () => {
    for (const [name, viewport] of [["wide", WIDE], ["phone", PHONE]] as const) {
      const { context, page } = await signedIn("admin", viewport);
      await page.goto("/messages");
      await page.getByRole("heading", { name: "No mail yet" }).waitFor();
      await screenshot(page, `messages-empty-${name}`);
      await context.close();
    }
  });

  it("lists a delivered message and a refused attempt sent over SMTP, and search narrows the list", async () => {
    // Written a minute ago and handed on by the customer's server five seconds later (RFC 5322 dates).
    const rfc5322 = (date: Date) => date.toUTCString().replace(/GMT$/, "+0000");
    const written = new Date(Date.now() - 60_000);
    const delivered = await sendOverSmtp({
      from: "Customer <customer@sender.test>",
      to: SUPPORT,
      subject: SUBJECT,
      text: "My order has not arrived.",
      // A hop before ours, as the customer's own mail server would have written it.
      headers: { Received: `from laptop.sender.test (laptop.sender.test [192.0.2.10]) by mail.sender.test with ESMTPSA id 4711; ${rfc5322(new Date(written.getTime() + 5_000))}` },
      date: written,
    });
    messageId = /queued as ([0-9a-f-]{36})/.exec(delivered.response ?? "")?.[1] ?? "";
    expect(messageId, delivered.response).not.toBe("");
    const refused = await sendOverSmtp({ from: "customer@sender.test", to: MISSPELT, subject: "Misspelt address", text: "Hello?" });
    expect(refused.error?.responseCode).toBe(550);
    await eventually("the refusal to be logged", () => getDb().inboundRefusal.findFirst({ where: { recipient: MISSPELT } }));

    const { context, page } = await signedIn("admin");
    await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Messages" }).click();
    await page.getByRole("heading", { name: "Messages", exact: true }).waitFor();
    await expect.poll(() => rows(page).count()).toBe(2);
    const [refusalRow, deliveryRow] = [rows(page).nth(0), rows(page).nth(1)];
    // Newest first: the refusal was sent after the message.
    expect(await refusalRow.textContent()).toContain(MISSPELT);
    expect(await refusalRow.textContent()).toContain("550 5.1.1");
    expect(await refusalRow.textContent()).toContain(`No route for ${MISSPELT}`);
    expect(await refusalRow.textContent()).toContain(SUPPORT);
    expect(await refusalRow.textContent()).toContain("Refused");
    expect(await deliveryRow.textContent()).toContain(SUBJECT);
    expect(await deliveryRow.textContent()).toContain("customer@sender.test");
    expect(await deliveryRow.textContent()).toContain("Support");
    expect(await deliveryRow.textContent()).toContain("SPF pass");
    expect(await deliveryRow.textContent()).toContain("Queued");
    await screenshot(page, "messages-list-wide");

    await page.getByLabel("Search").fill("4711");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("4711");
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain(SUBJECT);

    await page.getByLabel("Search").fill("nothing-like-this");
    await page.getByText("No messages match these filters.").waitFor();
    await screenshot(page, "messages-list-no-match-wide");

    await page.getByLabel("Search").fill("");
    await page.getByLabel("Status").selectOption({ label: "Refused" });
    await expect.poll(() => new URL(page.url()).searchParams.get("status")).toBe("refused");
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain(MISSPELT);
    // Every time says its zone: the date filters count days in UTC, the list in the reader's zone.
    expect(await rows(page).first().locator("time").textContent()).toMatch(/ UTC$/);
    const devtools = await context.newCDPSession(page);
    await devtools.send("Emulation.setTimezoneOverride", { timezoneId: "America/New_York" });
    await page.reload();
    await expect.poll(() => rows(page).first().locator("time").textContent()).toMatch(/ (EST|GMT-5)$/);

    // A hand-edited link's filters that cannot apply are named, not dropped in silence.
    await page.goto("/messages?status=bogus&domain=not-a-domain-id");
    await expect.poll(() => rows(page).count()).toBe(2);
    const note = page.getByTestId("ignored-filters");
    expect(await note.textContent()).toContain("status “bogus” and domain “not-a-domain-id” are not values this list can filter by");
    await screenshot(page, "messages-list-ignored-filters-wide");
    await page.getByLabel("Status").selectOption({ label: "Refused" });
    await expect.poll(() => rows(page).count()).toBe(1);
    await expect.poll(() => note.count()).toBe(0);
    await context.close();

    const phone = await signedIn("admin", PHONE);
    await phone.page.goto("/messages");
    const cards = phone.page.getByTestId("messages-cards").getByTestId("message-card");
    await expect.poll(() => cards.count()).toBe(2);
    expect(await phone.page.getByTestId("messages-table").isVisible()).toBe(false);
    await screenshot(phone.page, "messages-list-phone");
    await phone.context.close();
  });

  it("shows a message's headers and hops, and lets a manage user download the .eml", async () => {
    const { context, page } = await signedIn("admin");
    await page.goto("/messages");
    await rows(page).filter({ hasText: SUBJECT }).getByRole("link", { name: SUBJECT }).click();
    await page.getByRole("heading", { name: SUBJECT, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/messages/${messageId}`);

    const headers = page.getByTestId("headers-table");
    expect(await headers.textContent()).toContain(`Subject${SUBJECT}`);
    const hops = page.getByTestId("hop");
    await expect.poll(() => hops.count()).toBeGreaterThanOrEqual(2);
    expect(await hops.first().textContent()).toContain("by mail.sender.test");
    expect(await hops.first().textContent()).toContain("+5 s");
    expect(await hops.last().textContent()).toContain("Received here");
    expect(await page.getByTestId("auth-spf").textContent()).toContain("SPF pass");
    expect(await page.getByTestId("delivery").textContent()).toContain(SUPPORT);
    await screenshot(page, "messages-message-wide");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download .eml" }).click()]);
    expect(download.suggestedFilename()).toBe(`message-${messageId}.eml`);
    const eml = await readFile((await download.path())!, "utf8");
    expect(eml).toMatch(/^Received: from mail\.sender\.test/);
    expect(eml).toContain(`Subject: ${SUBJECT}`);
    expect(eml).toContain("My order has not arrived.");
    await context.close();

    const phone = await signedIn("admin", PHONE);
    await phone.page.goto(`/messages/${messageId}`);
    await phone.page.getByRole("heading", { name: SUBJECT, level: 1 }).waitFor();
    await screenshot(phone.page, "messages-message-phone");
    await phone.context.close();
  });

  it("shows a view-only user the message without the download, and refuses them the .eml", async () => {
    const { context, page } = await signedIn("viewer");
    await page.goto(`/messages/${messageId}`);
    await page.getByRole("heading", { name: SUBJECT, level: 1 }).waitFor();
    expect(await page.getByRole("link", { name: "Download .eml" }).count()).toBe(0);
    await page.getByText("Downloading the original message needs the").waitFor();
    const response = await context.request.get(`/api/messages/${messageId}/raw`);
    expect(response.status()).toBe(403);
    expect(await response.text()).not.toContain(SUBJECT);
    await screenshot(page, "messages-message-viewer-wide");
    await context.close();
  });

  it("explains a refused attempt: the reply given, why, and the closest routes", async () => {
    for (const [name, viewport] of [["wide", WIDE], ["phone", PHONE]] as const) {
      const { context, page } = await signedIn("admin", viewport);
      await page.goto("/messages?status=refused");
      const link = name === "wide" ? rows(page).first().getByRole("link").first() : page.getByTestId("message-card").first().getByRole("link");
      await link.click();
      await page.getByRole("heading", { name: "No route for this address", level: 1 }).waitFor();
      expect(await page.getByTestId("refusal-reply").textContent()).toMatch(/^550 5\.1\.1 /);
      expect(await page.getByTestId("refusal-explanation").textContent()).toContain(`No route for ${MISSPELT}`);
      expect(await page.getByRole("link", { name: SUPPORT }).count()).toBe(1);
      await screenshot(page, `messages-refusal-${name}`);
      await context.close();
    }
  });

  it("leads from a route on the Routes page to its messages", async () => {
    for (const [name, viewport] of [["wide", WIDE], ["phone", PHONE]] as const) {
      const { context, page } = await signedIn("admin", viewport);
      await page.goto("/routes");
      await page.getByRole("link", { name: "1 message in 7 days" }).first().click();
      await expect.poll(() => new URL(page.url()).searchParams.get("route")).toBe(supportRouteId);
      // The last 7 days, as the link says (the page filters by whole days, UTC).
      expect(new URL(page.url()).searchParams.get("from")).toBe(new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10));
      await page.getByText(`Showing messages to route ${SUPPORT}`).waitFor();
      const lines = name === "wide" ? rows(page) : page.getByTestId("messages-cards").getByTestId("message-card");
      await expect.poll(() => lines.count()).toBe(1);
      expect(await lines.first().textContent()).toContain(SUBJECT);
      await screenshot(page, `messages-list-route-${name}`);
      await context.close();
    }
  });

  it("answers 404 for a message that is not there", async () => {
    const { context, page } = await signedIn("admin");
    const response = await page.goto("/messages/00000000-0000-4000-8000-000000000000");
    expect(response?.status()).toBe(404);
    const raw = await context.request.get("/api/messages/00000000-0000-4000-8000-000000000000/raw");
    expect(raw.status()).toBe(404);
    await context.close();
  });
});

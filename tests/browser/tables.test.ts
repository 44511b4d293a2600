import { readFile } from "node:fs/promises";

import type { Page } from "playwright-core";
import { expect, it } from "vitest";

import { createRoute } from "@/lib/routes/commands/create-route";
import { importRoutes } from "@/lib/routes/commands/import-routes";
import { CSV_COLUMNS, toCsvLine } from "@/lib/routes/csv";
import { createRouteSchema } from "@/lib/routes/schemas";

import { describeInBrowser, screenshot, setUpBrowser, setUpOwnOrganization, signedInClient } from "../support/browser";

/**
 * The console's tables (routes, queues, domains, audit log, messages): sorting and paging through
 * the URL, no sideways scrolling and whole row buttons on a phone and a laptop, and the audit log's
 * subjects, links, filters and CSV export. Everything happens in an organisation of its own (Hooli).
 */
const browser = setUpBrowser();
const ADMIN = { email: "admin@hooli.example", password: "hooli-admin-password" };
const DOMAIN = "help.hooli.test";

setUpOwnOrganization({ slug: "hooli", name: "Hooli", admins: [ADMIN] }, async (db, { organizationId, userIds }) => {
  const domain = await db.domain.create({
    data: { organizationId, name: DOMAIN, displayName: DOMAIN, kind: "custom", scenario: "own_domain", status: "verified", verifiedAt: new Date(), lastCheckedAt: new Date() },
  });
  const support = await db.queue.create({ data: { organizationId, name: "Support", nameKey: "support", description: "First line, every language" } });
  await db.queue.create({ data: { organizationId, name: "Billing", nameKey: "billing" } });
  // 30 routes whose priority runs against their address: sorting by either is visible.
  await db.$executeRaw`
    INSERT INTO routes (organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, from_name, updated_at)
    SELECT ${organizationId}::uuid, ${domain.id}::uuid, 'team' || lpad(i::text, 2, '0'), 'team' || lpad(i::text, 2, '0'),
           'team' || lpad(i::text, 2, '0') || '@help.hooli.test', ${support.id}::uuid, 31 - i, 'Hooli', now()
      FROM generate_series(1, 30) i`;

  // Audit entries written by the console's own commands.
  const actor = { organizationId, userId: userIds[0]!, email: ADMIN.email };
  await createRoute(db, actor, createRouteSchema.parse({ domainId: domain.id, pattern: "support", queueId: support.id, priority: 5, fromName: "Hooli Support" }), {
    maxRoutesPerDomain: 1000,
  });
  const csv = [
    toCsvLine(CSV_COLUMNS),
    toCsvLine([DOMAIN, "sales", "Billing", 5, "", "", "Hooli Sales", "", "", "", "Optional", "false", ""]),
    toCsvLine([DOMAIN, "returns", "Support", 4, "", "", "Hooli Returns", "", "", "", "Optional", "false", ""]),
  ].join("\n");
  const report = await importRoutes(actor, csv, { maxRoutesPerDomain: 1000 }, { fileName: "hooli.csv" });
  if (!("applied" in report) || !report.applied) throw new Error(`import refused: ${JSON.stringify(report)}`);

  // One refused attempt, so the messages page has a line.
  await db.inboundRefusal.create({
    data: {
      organizationId,
      domainId: domain.id,
      gateway: "test",
      sessionId: "hooli-session",
      clientAddress: "127.0.0.1",
      stage: "rcpt",
      envelopeFrom: "customer@example.net",
      recipient: "nobody@help.hooli.test",
      recipientDomain: DOMAIN,
      code: 550,
      enhancedStatus: "5.1.1",
      reply: "550 5.1.1 No such address",
      reason: "no_route",
      explanation: "No route for nobody@help.hooli.test.",
      searchText: "nobody@help.hooli.test customer@example.net",
    },
  });
});

const signedIn = (viewport?: { width: number; height: number }) => signedInClient(browser(), ADMIN, viewport);

function routeAddresses(page: Page) {
  return page.getByTestId("route-row").locator("td:first-child span.font-mono").allTextContents();
}

/** Every visible button inside the page's table rows: wholly in the viewport, its label not cut. */
async function rowButtonsProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const button of document.querySelectorAll<HTMLElement>("tbody tr button, tbody tr a[role=button]")) {
      const box = button.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // hidden (e.g. the table layout on a phone)
      const name = button.getAttribute("aria-label") ?? button.textContent ?? "";
      if (box.left < 0 || box.right > window.innerWidth) problems.push(`${name}: ${box.left}–${box.right} of ${window.innerWidth}`);
      if (button.scrollWidth > button.clientWidth + 1) problems.push(`${name}: label cut (${button.scrollWidth} > ${button.clientWidth})`);
    }
    return problems;
  });
}

const PAGES = [
  { name: "routes", path: "/routes", ready: (page: Page) => page.getByTestId("route-row").first().waitFor() },
  { name: "queues", path: "/queues", ready: (page: Page) => page.getByRole("button", { name: "Delete Support" }).waitFor() },
  { name: "domains", path: "/domains", ready: (page: Page) => page.getByRole("link", { name: DOMAIN }).waitFor() },
  { name: "audit", path: "/audit", ready: (page: Page) => page.getByTestId("audit-entry").first().waitFor() },
  { name: "messages", path: "/messages", ready: (page: Page) => page.getByText("nobody@help.hooli.test").filter({ visible: true }).first().waitFor() },
];

describeInBrowser("tables", () => {
  it("sorts and pages the routes through the URL, and a reload shows the same rows", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes?sort=priority&dir=desc&size=25");
    await page.getByTestId("route-row").first().waitFor();
    // Highest priority first: team01 has 30.
    expect((await routeAddresses(page))[0]).toBe("team01@help.hooli.test");
    expect(await page.getByRole("columnheader", { name: /Priority/ }).getAttribute("aria-sort")).toBe("descending");

    const address = page.getByRole("columnheader", { name: /Address/ }).getByRole("button");
    await address.click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBeNull(); // address A→Z is the default
    await expect.poll(async () => (await routeAddresses(page))[0]).toBe("returns@help.hooli.test");
    await address.click();
    await expect.poll(() => new URL(page.url()).searchParams.get("dir")).toBe("desc");
    await expect.poll(async () => (await routeAddresses(page))[0]).toBe("team30@help.hooli.test");

    const pages = page.getByRole("navigation", { name: "Pages" });
    await pages.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("page")).toBe("2");
    await expect.poll(async () => (await pages.textContent()) ?? "").toContain("26–33 of 33");
    const secondPage = await routeAddresses(page);
    expect(secondPage[0]).toBe("team05@help.hooli.test");

    await page.reload();
    await page.getByTestId("route-row").first().waitFor();
    expect(await routeAddresses(page)).toEqual(secondPage);
    expect(await page.getByRole("columnheader", { name: /Address/ }).getAttribute("aria-sort")).toBe("descending");
    await context.close();
  });

  it("hides a column on request and shows it again", async () => {
    const { context, page } = await signedIn();
    await page.goto("/routes");
    await page.getByTestId("route-row").first().waitFor();
    expect(await page.getByRole("columnheader", { name: /Priority/ }).count()).toBe(1);
    // The open menu hides the page from assistive technology: close it before looking.
    const toggle = async () => {
      await page.getByRole("button", { name: "Columns" }).click();
      await page.getByRole("menuitemcheckbox", { name: "Priority" }).click();
      await page.keyboard.press("Escape");
      await page.getByRole("menu").waitFor({ state: "detached" });
    };
    await toggle();
    await expect.poll(() => page.getByRole("columnheader", { name: /Priority/ }).count()).toBe(0);
    expect(await page.getByRole("columnheader", { name: /Queue/ }).count()).toBe(1);
    await toggle();
    await expect.poll(() => page.getByRole("columnheader", { name: /Priority/ }).count()).toBe(1);
    await context.close();
  });

  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    it(`fits ${viewport.width} px: no page scrolls sideways and every row's buttons are whole and in view`, async () => {
      const { context, page } = await signedIn(viewport);
      for (const target of PAGES) {
        await page.goto(target.path);
        await target.ready(page);
        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        expect(widths.scroll, `${target.name} is ${widths.scroll} px wide in ${widths.inner} px`).toBeLessThanOrEqual(widths.inner);
        expect(await rowButtonsProblems(page), target.name).toEqual([]);
        await screenshot(page, `${target.name}-${viewport.width}`);
      }
      // The routes page has row buttons at every width; they were measured above.
      await page.goto("/routes");
      const firstDelete = page.getByTestId("route-row").first().getByRole("button", { name: /^Delete / });
      const box = await firstDelete.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      await context.close();
    });
  }

  it("audit log: readable subjects linked to the object, what an import created, filters without a button, CSV of the rows shown", async () => {
    const { context, page } = await signedIn();
    await page.goto("/audit");
    const entries = page.getByTestId("audit-entry");
    await expect.poll(() => entries.count()).toBe(2);

    const imported = entries.filter({ hasText: "Routes imported" });
    expect(await imported.textContent()).toContain(`2 routes created from 2 rows: ${DOMAIN} (2)`);
    expect(await imported.textContent()).not.toContain("›");
    await imported.getByText("Addresses (2)").click();
    expect(await imported.getByRole("list", { name: "Imported addresses" }).getByRole("listitem").allTextContents()).toEqual([
      `sales@${DOMAIN}`,
      `returns@${DOMAIN}`,
    ]);

    // Filters apply as they change: no button to press.
    expect(await page.getByRole("button", { name: "Apply filters" }).count()).toBe(0);
    await page.getByLabel("Type").selectOption({ label: "Routes" });
    await expect.poll(() => new URL(page.url()).searchParams.get("entity")).toBe("route");
    await expect.poll(() => entries.count()).toBe(1);
    await page.getByLabel("Text").fill("support@");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("support@");
    await expect.poll(() => entries.count()).toBe(1);
    await screenshot(page, "audit-filtered");

    // The CSV holds the rows shown.
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("time_utc,actor,action,type,subject,summary,before,after");
    expect(lines[1]).toContain(`route.create,Routes,support@${DOMAIN}`);

    // The subject is the address, and leads to the route.
    const created = entries.first();
    await created.getByRole("link", { name: `support@${DOMAIN}` }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/routes");
    await page.getByTestId("route-row").filter({ hasText: `support@${DOMAIN}` }).waitFor();
    expect(await page.getByTestId("route-row").count()).toBe(1);
    await context.close();
  });
});

import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { expectedFromStored } from "@/lib/domains/expected-records";

import { describeInBrowser, newClient, screenshot, setUpBrowser, signedInClient, type Account } from "../support/browser";
import { asPublished, PLATFORM_TEST_ZONE, platformDnsEnv } from "../support/dns-publish";
import { startDnsWorld, type DnsWorld } from "../support/dns-server";
import { createCustomDomain } from "../support/jobs";
import { startTestApp, TEST_APP_ENV, type TestApp } from "../support/test-app";

/**
 * The domain page's records, the wizard's Verify and Domain steps and the public share page, in
 * Chromium against a console of its own whose DNS questions go to loopback servers this file
 * controls. Organisations of its own (Hooli, Initrode), so nothing depends on other files' data.
 * corp.test is a zone whose nameservers refuse or answer lamely for every name we ask.
 */
const browser = setUpBrowser();
// Each test loads several pages and waits for real DNS checks: generous on a busy 2-core machine.
let world: DnsWorld;
let app: TestApp;
let hooliId = "";
const HOOLI = { email: "admin@hooli.example", password: "hooli-admin-password" };
const INITRODE = { email: "admin@initrode.example", password: "initrode-admin-password" };
const SETTINGS = {
  platformDomain: "routing.platform.test",
  inboundHosts: [
    { exchange: "inbound-1.platform.test", preference: 10 },
    { exchange: "inbound-2.platform.test", preference: 10 },
  ],
  spfInclude: "_spf.platform.test",
  dkimSelector: "erc1",
  dmarcReportAddress: "dmarc@platform.test",
  maxDomainsPerOrganization: 50,
  reservedPlatformLabels: [],
};

/** Every name the engine asks corp.test's nameservers about for `domain`, with its doubled-suffix probe. */
function breakCorpTest(...names: string[]) {
  const asked = names.flatMap((name) => [name, `${name}.corp.test`]);
  for (const name of ["corp.test", ...asked]) {
    world.authoritative[0]?.addRule({ name, action: { kind: "rcode", rcode: "REFUSED" } });
    world.authoritative[1]?.addRule({ name, action: { kind: "not_authoritative" } });
  }
}

const recordNames = (domain: string) => [`_email-routing.${domain}`, domain, `erc1._domainkey.${domain}`, `_dmarc.${domain}`];

beforeAll(async () => {
  if (!inject("chromium")) return;
  world = await startDnsWorld({ zones: [PLATFORM_TEST_ZONE, { origin: "records.test" }, { origin: "corp.test" }] });
  breakCorpTest(...recordNames("help.corp.test"), ...recordNames("other.corp.test"));
  app = await startTestApp(inject("pgAdminUrl"), platformDnsEnv(world));
  selectDatabase(app.databaseUrl);
  const db = getDb();
  for (const [slug, name, account] of [["hooli", "Hooli", HOOLI], ["initrode", "Initrode", INITRODE]] as const) {
    const organization = await upsertOrganization(db, { slug, name, licences: ["Genesys Cloud CX 3 Digital"] });
    if (slug === "hooli") hooliId = organization.id;
    await upsertUser(db, { organizationSlug: slug, email: account.email, name: `${name} Admin`, password: account.password, permissions: ["routing:email:manage"] });
  }
});

afterAll(async () => {
  await disconnectDb();
  await app?.stop();
  await world?.close();
});

const signedIn = (account: Account, width = 1280) => signedInClient(browser(), account, { width, height: 900 }, app.url);

async function customDomain(name: string, status: "pending" | "verified" = "pending") {
  return createCustomDomain(getDb(), hooliId, name, SETTINGS, { status, secretsKey: TEST_APP_ENV.SECRETS_KEY });
}

const stateOf = (page: Page, kind: string, index = 0) => page.locator(`li[data-record-kind="${kind}"]`).nth(index).getAttribute("data-state");

/** A check the panel started by itself: the "Check now" action's body names its trigger; the poll's does not. */
const checkRequest = (page: Page, trigger: "manual" | "wizard") =>
  page.waitForRequest((request) => request.method() === "POST" && (request.postData() ?? "").includes(`"trigger":"${trigger}"`), { timeout: 30_000 });

describeInBrowser("domain records: states, DNS problems, hand-off and share links", () => {
  it("checks at once on a domain page that was never checked", async () => {
    const domain = await customDomain("arrive.records.test", "verified");
    world.publish(...asPublished(domain.records.map(expectedFromStored)));
    const { context, page } = await signedIn(HOOLI);
    const checked = checkRequest(page, "manual");
    await page.goto("/domains/arrive.records.test");
    await checked;
    // A verified domain is never polled: only the check on arrival can have filled these in.
    await expect.poll(() => stateOf(page, "ownership"), { timeout: 30_000 }).toBe("verified");
    expect(await stateOf(page, "dmarc")).toBe("verified");
    expect((await getDb().domain.findUniqueOrThrow({ where: { id: domain.id } })).lastCheckedAt).not.toBeNull();
    await context.close();
  }, 180_000);

  it("says a verified record that was removed has disappeared, and in grace when the domain will degrade and that mail still flows until then", async () => {
    const domain = await customDomain("gone.records.test", "verified");
    world.publish(...asPublished(domain.records.map(expectedFromStored)));
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/domains/gone.records.test");
    await expect.poll(() => stateOf(page, "ownership"), { timeout: 30_000 }).toBe("verified");
    world.unpublish("_email-routing.gone.records.test", "TXT");
    await page.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => stateOf(page, "ownership"), { timeout: 30_000 }).toBe("disappeared");
    expect(await page.locator('li[data-record-kind="ownership"]').textContent()).toContain("was verified earlier and is no longer found");
    const notice = page.getByTestId("grace-notice");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain("Mail to this domain keeps flowing as usual");
    expect(await notice.textContent()).toContain("the domain becomes degraded");
    expect((await getDb().domain.findUniqueOrThrow({ where: { id: domain.id } })).status).toBe("grace");
    await screenshot(page, "domain-grace-1280");
    const narrow = await signedIn(HOOLI, 390);
    await narrow.page.goto("/domains/gone.records.test");
    await narrow.page.getByTestId("grace-notice").waitFor({ timeout: 30_000 });
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(narrow.page, "domain-grace-390");
    await narrow.context.close();

    // Another host now takes the mail first: the notice no longer says that mail flows.
    world.publish(
      { name: "gone.records.test", type: "MX", data: { preference: 5, exchange: "old-mx.gone.records.test" } },
      { name: "old-mx.gone.records.test", type: "A", data: "192.0.2.26" },
    );
    await page.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => notice.getAttribute("data-diversion"), { timeout: 30_000 }).toBe("elsewhere");
    expect(await notice.textContent()).toContain("send mail to another host instead of ours");
    expect(await notice.textContent()).not.toContain("keeps flowing");
    await screenshot(page, "domain-grace-elsewhere-1280");
    await context.close();
  }, 180_000);

  it('says "Wrong value" for a wrong TXT value and MX preference, shows the matched MX host, and DMARC as a neutral "Recommended"', async () => {
    const domain = await customDomain("wrong.records.test");
    const records = domain.records.map(expectedFromStored);
    world.publish(
      ...asPublished(records.filter((record) => record.kind === "spf" || record.kind === "dkim")),
      { name: "_email-routing.wrong.records.test", type: "TXT", data: "email-routing-verification=not-the-token" },
      { name: "wrong.records.test", type: "MX", data: { preference: 20, exchange: "inbound-1.platform.test" } },
      { name: "wrong.records.test", type: "MX", data: { preference: 10, exchange: "inbound-2.platform.test" } },
    );
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/domains/wrong.records.test");
    await expect.poll(() => stateOf(page, "ownership"), { timeout: 30_000 }).toBe("wrong_value");
    const ownership = page.locator('li[data-record-kind="ownership"]');
    expect(await ownership.locator("[data-state]").first().textContent()).toContain("Wrong value");
    expect(await stateOf(page, "mx", 0)).toBe("wrong_value");
    expect(await stateOf(page, "mx", 1)).toBe("verified");
    expect(await page.locator('li[data-record-kind="mx"]').nth(0).getByTestId("mx-match").textContent()).toBe("20 inbound-1.platform.test");
    expect(await page.locator('li[data-record-kind="mx"]').nth(1).getByTestId("mx-match").textContent()).toBe("10 inbound-2.platform.test");
    // The group summary agrees with its records.
    expect(await page.locator('[data-group="inbound"] [data-state]').getAttribute("data-state")).toBe("wrong_value");
    expect(await page.locator('[data-group="ownership"] [data-state]').textContent()).toContain("Wrong value");
    // DMARC is advice: neutral, never the red failure style.
    expect(await stateOf(page, "dmarc")).toBe("recommended");
    const dmarcBadge = page.locator('li[data-record-kind="dmarc"] [data-state]').first();
    expect(await dmarcBadge.textContent()).toContain("Recommended");
    expect(await dmarcBadge.getAttribute("class")).not.toMatch(/red/);
    // Diagnoses name values as code, never with literal backticks; the MX one says what to change.
    const diagnoses = page.locator("[data-diagnosis]");
    expect((await diagnoses.allTextContents()).join("\n")).not.toContain("`");
    expect(await ownership.locator("[data-diagnosis] code").count()).toBeGreaterThan(0);
    expect(await page.locator('[data-diagnosis="mx_preference_mismatch"]').first().textContent()).toContain("Change its preference (priority) to 10");
    await screenshot(page, "domain-records-1280");
    const narrow = await signedIn(HOOLI, 390);
    await narrow.page.goto("/domains/wrong.records.test");
    await expect.poll(() => stateOf(narrow.page, "ownership"), { timeout: 30_000 }).toBe("wrong_value");
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(narrow.page, "domain-records-390");
    await narrow.context.close();
    await context.close();
  }, 180_000);

  it("wraps long record names on a phone only before a dot, never after a hyphen inside a label", async () => {
    const name = "customer-service-help-desk.north-america-region.records.test";
    await customDomain(name);
    const narrow = await signedIn(HOOLI, 390);
    await narrow.page.goto(`/domains/${name}`);
    const names = narrow.page.locator('[data-testid="fqdn"], [data-testid="relative-name"]');
    await names.first().waitFor();
    // Where each name's lines break, read from the rendered characters' positions.
    const wrapped = await names.evaluateAll((elements) =>
      elements.map((element) => {
        const text = element.textContent ?? "";
        const breaks: number[] = [];
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        let index = 0;
        let lastTop: number | null = null;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (let offset = 0; offset < (node.textContent ?? "").length; offset++, index++) {
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const top = range.getBoundingClientRect().top;
            if (lastTop !== null && top > lastTop + 2) breaks.push(index);
            lastTop = top;
          }
        }
        return { text, breaks };
      }),
    );
    // The fully qualified names are too long for one line here: they do wrap, each time before a dot.
    expect(wrapped.filter(({ breaks }) => breaks.length > 0).length).toBeGreaterThan(0);
    for (const { text, breaks } of wrapped) {
      for (const at of breaks) expect(`${text.slice(0, at)}|${text.slice(at)}`).toMatch(/\|\./);
    }
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(narrow.page, "domain-records-long-names-390");
    await narrow.context.close();
  });

  it("says a zone whose nameservers refuse or are lame once, in a banner, not on every record", async () => {
    await customDomain("help.corp.test");
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/domains/help.corp.test");
    const banner = page.getByTestId("dns-problem");
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.count()).toBe(1);
    expect(await banner.textContent()).toContain("No DNS server answers for corp.test — is the domain registered and delegated");
    expect(await page.locator('[data-diagnosis="nameserver_error"], [data-diagnosis="zone_discovery_failed"]').count()).toBe(0);
    expect(await page.locator('li[data-record-kind][data-state="dns_error"]').count()).toBe(6);
    await screenshot(page, "domain-dns-problem-1280");
    await context.close();
  }, 180_000);

  it('"Copy all" copies every record, and the zone file names each record in BIND syntax', async () => {
    const domain = await customDomain("handoff.records.test");
    const { context, page } = await signedIn(HOOLI);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
    await page.goto("/domains/handoff.records.test");
    const table = page.getByRole("table", { name: "DNS records to publish" });
    expect(await table.getByTestId("relative-name").allTextContents()).toEqual([
      "_email-routing.handoff",
      "handoff",
      "handoff",
      "handoff",
      "erc1._domainkey.handoff",
      "_dmarc.handoff",
    ]);
    expect(await page.textContent("main")).toContain("TTL 300 s while setting up");
    await page.getByRole("button", { name: "Copy all records (name, type, value, TTL)" }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const lines = copied.trim().split("\n");
    expect(lines[0]).toBe("Name\tType\tValue\tTTL");
    expect(lines.slice(1)).toEqual(
      domain.records.map((record) => [record.name, record.type, record.type === "MX" ? `${record.preference} ${record.value}` : record.value, "300"].join("\t")),
    );

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download zone file" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("handoff.records.test.zone");
    const text = await readFile((await file.path())!, "utf8");
    const zone = parseZoneFile(text);
    expect(zone.origin).toBe("records.test.");
    expect(zone.records.some((r) => r.owner === "@" && r.type === "SOA")).toBe(true);
    expect(zone.records.filter((r) => r.owner === "@" && r.type === "NS").length).toBeGreaterThan(0);
    for (const record of domain.records) {
      const owner = record.name === "records.test" ? "@" : record.name.slice(0, -".records.test".length);
      const found = zone.records.filter((r) => r.owner === owner && r.type === record.type);
      const values = found.map((r) => (r.type === "TXT" ? r.strings.join("") : r.rdata));
      expect(values).toContain(record.type === "MX" ? `${record.preference} ${record.value}.` : record.value);
    }
    // Character-strings are at most 255 bytes (the DKIM key is longer, so it is split).
    expect(zone.records.filter((r) => r.type === "TXT").every((r) => r.strings.every((s) => Buffer.byteLength(s) <= 255))).toBe(true);
    expect(zone.records.find((r) => r.owner === "erc1._domainkey.handoff")!.strings.length).toBeGreaterThan(1);
    if (existsSync("/usr/sbin/named-checkzone")) {
      const { stdout } = await promisify(execFile)("/usr/sbin/named-checkzone", ["records.test", (await file.path())!]);
      expect(stdout).toContain("OK");
    }
    await context.close();
  }, 180_000);

  it("a share link shows that domain's records without sign-in, and stops working when revoked or expired", async () => {
    await customDomain("shared.records.test");
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/domains/shared.records.test");
    const linkFor = async () => {
      await page.getByRole("button", { name: "Create share link" }).click();
      const url = await page.getByTestId("share-url").textContent();
      expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{43}$/);
      return url!;
    };
    const url = await linkFor();
    await screenshot(page, "domain-page-1280");

    const visitor = await newClient(browser(), { width: 1280, height: 900 }, app.url);
    await visitor.page.goto(url);
    await visitor.page.getByRole("heading", { level: 1, name: /shared\.records\.test/ }).waitFor();
    expect(visitor.page.url()).toBe(url); // no sign-in redirect
    const body = (await visitor.page.textContent("body")) ?? "";
    for (const other of ["wrong.records.test", "help.corp.test", "arrive.records.test", "Hooli", "Sign out"]) expect(body).not.toContain(other);
    expect(await visitor.page.getByRole("table", { name: "DNS records to publish" }).getByTestId("relative-name").count()).toBe(6);
    await screenshot(visitor.page, "share-page-1280");
    const phone = await newClient(browser(), { width: 390, height: 844 }, app.url);
    await phone.page.goto(url);
    await phone.page.getByRole("heading", { level: 1, name: /shared\.records\.test/ }).waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone.page, "share-page-390");
    await phone.context.close();

    await page.locator('li[data-link-state="active"]').getByRole("button", { name: "Revoke" }).click();
    await page.locator('li[data-link-state="revoked"]').waitFor();
    await visitor.page.goto(url);
    await visitor.page.getByRole("heading", { name: "This link does not work" }).waitFor();
    expect(await visitor.page.textContent("body")).not.toContain("shared.records.test");

    const second = await linkFor();
    await visitor.page.goto(second);
    await visitor.page.getByRole("heading", { level: 1, name: /shared\.records\.test/ }).waitFor();
    await getDb().recordShareLink.updateMany({ where: { revokedAt: null, domain: { name: "shared.records.test" } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await visitor.page.goto(second);
    await visitor.page.getByRole("heading", { name: "This link does not work" }).waitFor();
    await page.reload();
    await page.locator('li[data-link-state="expired"]').waitFor();
    const actions = await getDb().auditEntry.findMany({ where: { entityLabel: "shared.records.test" }, select: { action: true } });
    expect(actions.map((entry) => entry.action).sort()).toEqual(["domain.share_link_create", "domain.share_link_create", "domain.share_link_revoke"]);
    await visitor.context.close();
    await context.close();
  }, 180_000);

  it("the Verify step checks at once; the Domain step hints when no DNS server answers", async () => {
    const { context, page } = await signedIn(INITRODE);
    await page.goto("/setup");
    await page.locator('[data-scenario="own_domain"]').click();
    await page.getByRole("button", { name: "Continue" }).click();
    const input = page.getByLabel("Your domain or subdomain");
    await input.fill("other.corp.test");
    const hint = page.getByTestId("dns-hint");
    await hint.waitFor({ timeout: 30_000 });
    expect(await hint.textContent()).toContain("No DNS server answers for corp.test");
    expect(await page.getByText("Available", { exact: true }).count()).toBe(0);
    await input.fill("wizard.records.test");
    await page.getByText("Available", { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Register domain" }).click();
    await page.getByRole("button", { name: "I have published them: verify" }).waitFor();
    const domain = await getDb().domain.findUniqueOrThrow({ where: { name: "wizard.records.test" }, include: { records: { orderBy: { position: "asc" } } } });
    world.publish(...asPublished(domain.records.map(expectedFromStored)));
    const checked = checkRequest(page, "wizard");
    await page.getByRole("button", { name: "I have published them: verify" }).click();
    await checked;
    await expect.poll(() => stateOf(page, "ownership"), { timeout: 30_000 }).toBe("verified");
    await screenshot(page, "verify-step-1280");
    // On a phone the admin resumes this domain's set-up run (a bare /setup starts a new one).
    const run = await getDb().setupRun.findUniqueOrThrow({ where: { domainId: domain.id } });
    const narrow = await signedIn(INITRODE, 390);
    await narrow.page.goto(`/setup?run=${run.id}`);
    await expect.poll(() => stateOf(narrow.page, "ownership"), { timeout: 30_000 }).toBe("verified");
    await screenshot(narrow.page, "verify-step-390");
    await narrow.context.close();
    await context.close();
  }, 180_000);

  it("the API reference shows names in its descriptions as code, never with literal backticks", async () => {
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/settings/api-reference");
    await page.getByRole("heading", { level: 1, name: "API reference" }).waitFor();
    expect(await page.locator("main").textContent()).not.toContain("`");
    expect(await page.locator("main article dd code").count()).toBeGreaterThan(0);
    await context.close();
  }, 180_000);

  it('platform labels: "already yours" (not an error), too short and reserved, said next to the field', async () => {
    await getDb().domain.create({
      data: { organizationId: hooliId, kind: "platform", scenario: "platform_domain", name: "hooli.routing.platform.test", displayName: "hooli.routing.platform.test", platformLabel: "hooli", status: "verified", verifiedAt: new Date() },
    });
    const { context, page } = await signedIn(HOOLI);
    await page.goto("/setup");
    await page.locator('[data-scenario="platform_domain"]').click();
    await page.getByRole("button", { name: "Continue" }).click();
    const label = page.getByLabel("Your name under the platform domain");
    await label.fill("hooli");
    const yours = page.getByTestId("already-yours");
    await yours.waitFor({ timeout: 30_000 });
    expect(await yours.textContent()).toContain("hooli.routing.platform.test is already yours");
    expect(await yours.getAttribute("role")).toBeNull();
    expect(await label.getAttribute("aria-describedby")).toContain("platform-label-availability");
    // Too short is said while the admin pauses, without leaving the field first.
    await label.fill("ab");
    await page.getByText("Use at least 3 characters").waitFor();
    await label.fill("www");
    await page.getByText(`"www" is reserved for the platform's own use`).waitFor();
    expect(await page.getByRole("button", { name: "Register name" }).isDisabled()).toBe(true);
    await context.close();
  }, 180_000);
});

interface ZoneRecord {
  owner: string;
  type: string;
  rdata: string;
  strings: string[];
}

/**
 * A reader for the subset of RFC 1035 master-file syntax the download uses, written here without
 * dns-packet so it checks the text itself: directives, one record per line (SOA's parentheses
 * included), quoted character-strings with escapes, comments.
 */
function parseZoneFile(text: string): { origin: string; ttl: number; records: ZoneRecord[] } {
  let origin = "";
  let ttl = 0;
  const records: ZoneRecord[] = [];
  for (const raw of text.split("\n")) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    if (line.startsWith("$ORIGIN")) origin = line.split(/\s+/)[1]!;
    else if (line.startsWith("$TTL")) ttl = Number(line.split(/\s+/)[1]);
    else {
      const match = /^(\S+)\s+(\d+)\s+IN\s+(SOA|NS|MX|TXT)\s+(.*)$/.exec(line);
      if (!match) throw new Error(`not a record line: ${raw}`);
      const [, owner, , type, rdata] = match;
      const strings = type === "TXT" ? [...rdata!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")) : [];
      if (type === "SOA" && !/^\S+\.\s+\S+\.\s+\(\s*\d+( \d+){4} \)$/.test(rdata!)) throw new Error(`bad SOA: ${raw}`);
      records.push({ owner: owner!, type: type!, rdata: rdata!, strings });
    }
  }
  return { origin, ttl, records };
}

/** Drops a `;` comment that is not inside a quoted string. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === "\\") i += 1;
    else if (char === '"') quoted = !quoted;
    else if (char === ";" && !quoted) return line.slice(0, i);
  }
  return line;
}

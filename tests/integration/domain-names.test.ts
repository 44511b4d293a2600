import { beforeEach, describe, expect, it } from "vitest";

import {
  checkDomainAvailabilityAction,
  checkDomainNowAction,
  checkPlatformLabelAvailabilityAction,
  deleteDomainAction,
  refreshDomainAction,
  registerDomainAction,
} from "@/app/(console)/domains/actions";
import { testAddressAction } from "@/app/(console)/routes/actions";
import { getDb } from "@/lib/db/client";
import { checkPlatformLabelAvailability } from "@/lib/domains/queries";
import { registerDomain } from "@/lib/domains/registration";
import { previewRouteImport } from "@/lib/routes/import";

import { PLATFORM_TEST_ENV, PLATFORM_TEST_SETTINGS, UNANSWERED_DNS_ENV } from "../support/dns-publish";
import { actAs, actAsNobody } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeQueue, makeRoute, seedRoutingOrganizations } from "../support/routing-fixtures";

/**
 * One normalisation for every name (UTS #46, lib/dns/idna.ts), used by every path that takes one
 * (availability, registration, the route tester, import), and enforced by the database; and checks
 * that change state only for those who may manage.
 */

Object.assign(process.env, UNANSWERED_DNS_ENV);

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);
const PLATFORM = PLATFORM_TEST_ENV.PLATFORM_DOMAIN;

beforeEach(async () => {
  await clearRouting(db);
  await db.notification.deleteMany();
  actAsNobody();
});

async function registerLabel(email: string, label: string) {
  await actAs(email);
  return registerDomainAction({ kind: "platform", scenario: "platform_domain", label, fromWizard: false });
}

async function registerCustom(email: string, domain: string) {
  await actAs(email);
  return registerDomainAction({ kind: "custom", scenario: "own_domain", domain, fromWizard: false });
}

describe("platform labels are normalised everywhere", () => {
  it("gives a label to one organisation only, however another writes it (case, spaces, fullwidth forms, a trailing dot)", async () => {
    expect(await registerLabel("admin@acme.example", "acme-sec")).toMatchObject({ ok: true, data: { name: `acme-sec.${PLATFORM}` } });
    for (const spelling of ["ACME-SEC", " acme-sec ", "ａｃｍｅ－ｓｅｃ", "Acme-Sec."]) {
      await actAs(INITECH_ADMIN);
      expect(await checkPlatformLabelAvailabilityAction({ label: spelling }), spelling).toMatchObject({
        ok: true,
        data: { available: false, reason: `acme-sec.${PLATFORM} is taken. Try another name.` },
      });
      expect(await registerLabel(INITECH_ADMIN, spelling), spelling).toMatchObject({
        ok: false,
        fieldErrors: { label: [`acme-sec.${PLATFORM} is taken. Try another name.`] },
      });
    }
    expect(await db.domain.findMany({ select: { name: true, platformLabel: true, organizationId: true } })).toEqual([
      { name: `acme-sec.${PLATFORM}`, platformLabel: "acme-sec", organizationId: acme.id },
    ]);
  });

  it("stores the label as normalised, not as typed", async () => {
    expect(await registerLabel(INITECH_ADMIN, "  ＩＮＩＴＥＣＨ-Mail ")).toMatchObject({
      ok: true,
      data: { name: `initech-mail.${PLATFORM}`, displayName: `initech-mail.${PLATFORM}` },
    });
    expect(await db.domain.findFirst({ select: { platformLabel: true } })).toEqual({ platformLabel: "initech-mail" });
  });

  it('says "already yours" for the organisation\'s own label', async () => {
    await registerLabel("admin@acme.example", "acme-sec");
    const yours = `acme-sec.${PLATFORM} is already yours: your organisation registered it earlier.`;
    expect(await checkPlatformLabelAvailabilityAction({ label: "ACME-sec" })).toMatchObject({ ok: true, data: { available: false, reason: yours } });
    expect(await registerLabel("admin@acme.example", "acme-sec")).toMatchObject({ ok: false, fieldErrors: { label: [yours] } });
  });

  it("refuses too-short and reserved labels with the reason, registering nothing", async () => {
    await actAs("admin@acme.example");
    expect(await checkPlatformLabelAvailabilityAction({ label: "ab" })).toMatchObject({ ok: true, data: { available: false, reason: "Use at least 3 characters" } });
    expect(await registerLabel("admin@acme.example", "ab")).toMatchObject({ ok: false, code: "validation", fieldErrors: { label: ["Use at least 3 characters"] } });
    for (const [typed, label] of [["www", "www"], ["WWW", "www"], ["Postmaster", "postmaster"], ["ｍａｉｌ", "mail"], ["noreply", "noreply"]] as const) {
      const reason = `"${label}" is reserved for the platform's own use. Choose another name, such as your company name.`;
      expect(await checkPlatformLabelAvailabilityAction({ label: typed }), typed).toMatchObject({ ok: true, data: { available: false, reason } });
      expect(await registerLabel("admin@acme.example", typed), typed).toMatchObject({ ok: false, fieldErrors: { label: [reason] } });
    }
    expect(await db.domain.count()).toBe(0);
  });

  it("takes the reserved list from configuration", async () => {
    const settings = { ...PLATFORM_TEST_SETTINGS, reservedPlatformLabels: ["tenant"] };
    expect(await checkPlatformLabelAvailability(db, acme.id, "Tenant", settings)).toMatchObject({ available: false, reason: expect.stringContaining('"tenant" is reserved') });
    expect(await checkPlatformLabelAvailability(db, acme.id, "www", settings)).toMatchObject({ available: true, label: "www" });
    const deps = { settings, secretsKey: Buffer.alloc(32, 3).toString("base64") };
    await expect(registerDomain(db, acme.id, { kind: "platform", scenario: "platform_domain", label: "TENANT" }, deps)).rejects.toThrow(/reserved/);
  });

  it("is enforced by the database even for writes that skip the checks", async () => {
    await registerLabel("admin@acme.example", "acme-sec");
    await expect(
      db.domain.create({
        data: { organizationId: initech.id, kind: "platform", scenario: "platform_domain", name: `ACME-SEC.${PLATFORM}`, displayName: "x", platformLabel: "ACME-SEC" },
      }),
    ).rejects.toThrow();
    await expect(
      db.domain.create({ data: { organizationId: initech.id, kind: "custom", scenario: "own_domain", name: ` acme-sec.${PLATFORM}`, displayName: "x" } }),
    ).rejects.toThrow();
    // Route addresses are unique across organisations too.
    const acmeDomain = await db.domain.findFirstOrThrow();
    await makeRoute(db, acme.id, acmeDomain, "help", (await makeQueue(db, acme.id, "Support")).id);
    const initechDomain = await db.domain.create({
      data: { organizationId: initech.id, kind: "custom", scenario: "own_domain", name: "help.initech.test", displayName: "help.initech.test" },
    });
    const initechQueue = await makeQueue(db, initech.id, "Support");
    await expect(
      db.route.create({
        data: {
          organizationId: initech.id,
          domainId: initechDomain.id,
          pattern: "help",
          patternKey: "help",
          address: `help@acme-sec.${PLATFORM}`,
          queueId: initechQueue.id,
          fromName: "x",
        },
      }),
    ).rejects.toThrow();
    expect(await db.domain.count({ where: { organizationId: initech.id } })).toBe(1);
    expect(await db.route.count({ where: { address: `help@acme-sec.${PLATFORM}` } })).toBe(1);
  });
});

describe("every path that takes a domain name uses the same UTS #46 normalisation", () => {
  it("registers a custom domain by its normalised name and finds it however it is written", async () => {
    expect(await registerCustom("admin@acme.example", "ｈｅｌｐ.ACME.test")).toMatchObject({ ok: true, data: { name: "help.acme.test", displayName: "help.acme.test" } });
    await actAs(INITECH_ADMIN);
    expect(await checkDomainAvailabilityAction({ domain: " HELP.acme.test. " })).toMatchObject({
      ok: true,
      data: { available: false, reason: expect.stringContaining("already registered to another organisation") },
    });
    expect(await registerCustom(INITECH_ADMIN, "ｈｅｌｐ．ａｃｍｅ．ｔｅｓｔ")).toMatchObject({ ok: false, code: "conflict" });
    expect(await db.domain.count()).toBe(1);
  });

  it("refuses names UTS #46 does not allow, saying what is wrong", async () => {
    const cases: [string, RegExp][] = [
      ["exa\u200bmple.acme.test", /invisible or control character, U\+200B ZERO WIDTH SPACE/],
      ["exa\u202emple.acme.test", /invisible or control character, U\+202E RIGHT-TO-LEFT OVERRIDE/],
      ["exa\u00admple.acme.test", /invisible or control character, U\+00AD SOFT HYPHEN/],
      ["xn--.acme.test", /"xn--" is not a valid internationalised label/],
      ["xn--abc.acme.test", /"xn--abc" is not a valid internationalised label/],
      ["a\u200db.acme.test", /"ab" contains a zero-width joiner or non-joiner .* \(CONTEXTJ\)/],
      ["1שלום.acme.test", /"1שלום" mixes right-to-left and left-to-right text/],
    ];
    for (const [name, message] of cases) {
      const result = await registerCustom("admin@acme.example", name);
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect(result.fieldErrors?.domain?.[0], name).toMatch(message);
      await actAs("admin@acme.example");
      expect(await checkDomainAvailabilityAction({ domain: name }), name).toMatchObject({ ok: true, data: { available: false, reason: expect.stringMatching(message) } });
    }
    expect(await db.domain.count()).toBe(0);
  });

  it("finds the domain in the route tester and in a route import whatever form the name takes", async () => {
    const domain = await db.domain.create({
      data: { organizationId: acme.id, kind: "custom", scenario: "own_domain", name: "help.acme.test", displayName: "help.acme.test", status: "verified", verifiedAt: new Date() },
    });
    const queue = await makeQueue(db, acme.id, "Support");
    await makeRoute(db, acme.id, domain, "support", queue.id);
    await actAs("admin@acme.example");
    expect(await testAddressAction({ address: "support@ＨＥＬＰ.acme.test" })).toMatchObject({ ok: true, data: { outcome: "routed", address: "support@help.acme.test" } });
    expect(await testAddressAction({ address: "support@help\u200b.acme.test" })).toMatchObject({
      ok: true,
      data: { outcome: "invalid_address", summary: expect.stringContaining("invisible or control character") },
    });

    const csv = "domain,pattern,queue,fromName\nＨＥＬＰ.Acme.test.,sales,Support,Acme\nhelp\u00ad.acme.test,billing,Support,Acme";
    const report = await previewRouteImport(acme.id, csv, { maxRoutesPerDomain: 100 });
    expect(report.validCount).toBe(1);
    expect(report.domains).toEqual([{ name: "help.acme.test", count: 1 }]);
    expect(report.issues).toEqual([{ line: 3, column: "domain", message: expect.stringContaining("is not one of your organisation's domains") }]);
  });

  it("matches the typed confirmation of a delete by the normalised name", async () => {
    const registered = await registerCustom("admin@acme.example", "old.acme.test");
    if (!registered.ok) throw new Error(registered.error);
    expect(await deleteDomainAction({ domainId: registered.data.id, confirmation: "ＯＬＤ.acme.test", deleteRoutes: false })).toMatchObject({ ok: true });
  });
});

describe("viewers cause no side effects", () => {
  it("lets a viewer's refresh read a pending domain without running a check; a manager's refresh runs one", async () => {
    const registered = await registerCustom("admin@acme.example", "watch.acme.test");
    if (!registered.ok) throw new Error(registered.error);
    const domainId = registered.data.id;

    await actAs("viewer@acme.example");
    expect(await checkDomainNowAction({ domainId, trigger: "manual" })).toMatchObject({ ok: false, code: "permission_required" });
    expect(await refreshDomainAction({ domainId })).toMatchObject({ ok: true, data: { id: domainId, status: "pending", lastCheckedAt: null } });
    expect(await refreshDomainAction({ domainId })).toMatchObject({ ok: true });
    expect(await db.domainCheck.count({ where: { domainId } })).toBe(0);
    expect(await db.domain.findUniqueOrThrow({ where: { id: domainId } })).toMatchObject({ status: "pending", lastCheckedAt: null, version: 1 });
    expect(await db.notification.count()).toBe(0);

    await actAs("admin@acme.example");
    expect(await refreshDomainAction({ domainId })).toMatchObject({ ok: true, data: { lastCheckedAt: expect.any(String) } });
    expect(await db.domainCheck.count({ where: { domainId } })).toBe(1);
  });
});

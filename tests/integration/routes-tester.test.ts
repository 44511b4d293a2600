import { beforeEach, describe, expect, it } from "vitest";

import { testAddressAction } from "@/app/(console)/routes/actions";
import { getDb } from "@/lib/db/client";
import type { AddressTestResult } from "@/lib/routes/types";

import { actAs } from "../support/request-context";
import { clearRouting, makeDomain, makeQueue, makeRoute, makeSkill, seedRoutingOrganizations } from "../support/routing-fixtures";

const db = getDb();
const { acme, initech } = await seedRoutingOrganizations(db);

let supportQueue: string;

beforeEach(async () => {
  await clearRouting(db);
  supportQueue = (await makeQueue(db, acme.id, "Support")).id;
  await actAs("admin@acme.example");
});

async function test(address: string): Promise<AddressTestResult> {
  const result = await testAddressAction({ address });
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

describe("the route tester", () => {
  it("names the route, queue and details an address reaches, whatever the case typed", async () => {
    const help = await makeDomain(db, acme.id, "help.acme.test");
    const vip = await makeSkill(db, acme.id, "VIP");
    await makeRoute(db, acme.id, help, "Support", supportQueue, { skillIds: [vip.id], priority: 7 });
    const result = await test("SUPPORT@Help.Acme.test");
    expect(result).toMatchObject({
      outcome: "routed",
      summary: "Mail to SUPPORT@help.acme.test is delivered to the Support queue.",
      route: { address: "Support@help.acme.test", queueName: "Support", priority: 7, skills: ["VIP"], status: "active" },
      redirect: null,
    });
  });

  it("explains why an address reaches no queue", async () => {
    const help = await makeDomain(db, acme.id, "help.acme.test");
    const fresh = await makeDomain(db, acme.id, "new.acme.test", { status: "pending" });
    await makeDomain(db, acme.id, "old.acme.test", { status: "failed" });
    await makeRoute(db, acme.id, help, "support", supportQueue);
    await makeRoute(db, acme.id, fresh, "hello", supportQueue);

    expect(await test("not an address")).toMatchObject({ outcome: "invalid_address" });
    expect(await test("x@nowhere.test")).toMatchObject({ outcome: "unknown_domain", summary: expect.stringContaining("nowhere.test is not one of your organisation's domains") });
    expect(await test("hello@new.acme.test")).toMatchObject({
      outcome: "domain_not_verified",
      summary: "new.acme.test is not verified yet, so mail is not received. Once it is, this address will reach the Support queue.",
      route: { status: "pending" },
    });
    expect(await test("any@old.acme.test")).toMatchObject({ outcome: "domain_error", summary: expect.stringContaining("gave up") });
    const missing = await test("suport@help.acme.test");
    expect(missing).toMatchObject({ outcome: "no_route", route: null, suggestions: ["support@help.acme.test"] });
    expect(missing.summary).toContain('no route exists for "suport"');
  });

  it("does not reveal another organisation's domains or routes", async () => {
    const theirs = await makeDomain(db, initech.id, "help.initech.test");
    await makeRoute(db, initech.id, theirs, "support", (await makeQueue(db, initech.id, "Support")).id);
    expect(await test("support@help.initech.test")).toMatchObject({ outcome: "unknown_domain", domain: null, route: null, redirectTargets: [] });
  });

  it("scenario 2: gives the redirect from the original domain the wizard recorded (or the parent) to the registered address", async () => {
    const copies = await makeDomain(db, acme.id, "help.acme.test", { scenario: "own_domain_with_copies" });
    await makeRoute(db, acme.id, copies, "support", supportQueue);
    expect((await test("support@help.acme.test")).redirect).toEqual({
      from: "support@acme.test",
      fromPlaceholder: "support@<your existing domain>",
      to: "support@help.acme.test",
      scenario: "own_domain_with_copies",
    });
    const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
    await db.setupRun.create({ data: { organizationId: acme.id, startedById: admin.id, step: "redirects", domainId: copies.id, data: { originalDomain: "Acme-Corp.test" } } });
    expect((await test("support@help.acme.test")).redirect?.from).toBe("support@acme-corp.test");

    // Typing the original address finds the registered one it must be redirected to.
    const original = await test("support@acme-corp.test");
    expect(original).toMatchObject({ outcome: "unknown_domain", redirectTargets: [{ to: "support@help.acme.test", route: { queueName: "Support" } }] });
    expect((await test("support@unrelated.test")).redirectTargets).toEqual([]);
  });

  it("scenario 4: names the registered platform address the admin's own address must be redirected to", async () => {
    const platform = await makeDomain(db, acme.id, "acme.mail.routing.test", { scenario: "platform_domain_with_copies" });
    await makeRoute(db, acme.id, platform, "billing", supportQueue);
    expect((await test("billing@acme.mail.routing.test")).redirect).toMatchObject({ from: null, fromPlaceholder: "billing@<your own domain>", to: "billing@acme.mail.routing.test" });
    // Without a recorded original domain, only a platform domain with this very local part is offered.
    expect((await test("billing@acme.test")).redirectTargets).toEqual([expect.objectContaining({ to: "billing@acme.mail.routing.test" })]);
    expect((await test("sales@acme.test")).redirectTargets).toEqual([]);
    // Scenario 3 (no copies) needs no redirect.
    const direct = await makeDomain(db, acme.id, "direct.mail.routing.test", { scenario: "platform_domain" });
    await makeRoute(db, acme.id, direct, "billing", supportQueue);
    expect((await test("billing@direct.mail.routing.test")).redirect).toBeNull();
  });
});

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { actionDefinition } from "@/lib/actions/define-action";
import type { ActionResult } from "@/lib/actions/result";
import type { Ability } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { getDb, type Database } from "@/lib/db/client";
import { dkimRecordName, dkimRecordValue, generateDkimKey } from "@/lib/domains/dkim/keys";
import { JOB_SCHEMA } from "@/lib/jobs/queues";
import { webhookDependencies } from "@/lib/notifications/webhooks/settings";
import { saveWebhook } from "@/lib/notifications/webhooks/commands";

import { PLATFORM_TEST_ENV } from "../support/dns-publish";
import { actAs, actAsNobody } from "../support/request-context";
import { clearRouting, INITECH_ADMIN, makeDomain, makeLanguage, makeQueue, makeRoute, makeSkill, seedRoutingOrganizations } from "../support/routing-fixtures";
import { PROJECT_ROOT } from "../support/test-app";

/**
 * Every exported server action, found in the source tree (not listed by hand), is called through
 * its gate: signed out, as a viewer (actions that change things), without the permission, without a
 * licence, and from another organisation with this organisation's ids. Each must be refused with
 * the gate's answer and leave every table as it was. A new action cannot ship without a row in
 * SAMPLES below, which gives it an input its organisation's admin gets accepted — so above, only the
 * gate can have refused it — and the same input with a control character in each text field must
 * come back as a field error, again with nothing changed.
 */

// DNS goes to a loopback port where nothing answers: no action here may reach the machine's resolver.
Object.assign(process.env, PLATFORM_TEST_ENV, {
  DNS_RESOLVERS: "127.0.0.1:9",
  DNS_TIMEOUT_MS: "200",
  DNS_DEADLINE_MS: "1000",
  WEBHOOK_ALLOW_LOOPBACK: "true",
});

const db = getDb();
const { acme } = await seedRoutingOrganizations(db);

// A webhook receiver on loopback for the webhook actions' own organisation.
const receiver = http.createServer((_request, response) => response.writeHead(204).end());
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

// ---------------------------------------------------------------------------------------------
// The actions, as the source tree has them.

type Action = (input: unknown) => Promise<ActionResult<unknown>>;
interface FoundAction {
  file: string;
  exportName: string;
  action: Action;
}

const SOURCE_ROOTS = ["app", "components", "lib"];
const USE_SERVER = /(["'])use server\1/;
/** The directive as a module's first statement (after comments). */
const MODULE_DIRECTIVE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(["'])use server\1/;

function sourceFiles(): string[] {
  return SOURCE_ROOTS.flatMap((root) =>
    (readdirSync(path.join(PROJECT_ROOT, root), { recursive: true }) as string[])
      .filter((file) => /\.(ts|tsx|js|jsx|mjs)$/.test(file) && !file.includes("generated/") && !/\.test\.tsx?$/.test(file))
      .map((file) => path.join(root, file)),
  );
}

const files = sourceFiles().filter((file) => USE_SERVER.test(readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
const inlineDirectives = files.filter((file) => !MODULE_DIRECTIVE.test(readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
const found: FoundAction[] = [];
for (const file of files.filter((file) => !inlineDirectives.includes(file))) {
  const exports = (await import(path.join(PROJECT_ROOT, file))) as Record<string, unknown>;
  for (const [exportName, value] of Object.entries(exports)) found.push({ file, exportName, action: value as Action });
}

// ---------------------------------------------------------------------------------------------
// What each action is called with. Ids come from this organisation's world (built afresh for
// every action); the inputs are ones the admin gets accepted.

const dkimKey = await generateDkimKey(process.env.SECRETS_KEY!);

/** A DKIM key of the domain with its record; a pending one verified and self-tested, ready for the switch. */
async function makeDkimKey(domain: { id: string; name: string }, selector: string, state: "active" | "pending", position: number) {
  const key = await db.dkimKey.create({
    data: {
      domainId: domain.id,
      selector,
      publicKey: dkimKey.publicKey,
      privateKeySealed: dkimKey.privateKeySealed,
      state,
      ...(state === "pending" ? { selfTestOutcome: "pass", selfTestCode: "pass", selfTestedAt: new Date() } : { activatedAt: new Date() }),
    },
  });
  await db.domainRecord.create({
    data: {
      domainId: domain.id,
      dkimKeyId: key.id,
      kind: "dkim",
      type: "TXT",
      name: dkimRecordName(selector, domain.name),
      value: dkimRecordValue(dkimKey.publicKey),
      required: state === "active",
      position,
      verdict: "verified",
    },
  });
  return key;
}

/** A catalogue entry the samples use and a spare one (created in that order) for the samples that delete an entry. */
async function usedAndSpare<T>(make: (db: Database, organizationId: string, name: string) => Promise<T>, used: string, spare: string): Promise<[T, T]> {
  return [await make(db, acme.id, used), await make(db, acme.id, spare)];
}

async function buildWorld() {
  await clearRouting(db);
  await db.webhookDelivery.deleteMany();
  await db.webhook.deleteMany();
  await db.notification.deleteMany();
  const domain = await makeDomain(db, acme.id, "help.acme.test");
  const platformDomain = await makeDomain(db, acme.id, `acme.${PLATFORM_TEST_ENV.PLATFORM_DOMAIN}`, { scenario: "platform_domain" });
  const failedDomain = await makeDomain(db, acme.id, "old.acme.test", { status: "failed" });
  const shareLink = await db.recordShareLink.create({
    data: { organizationId: acme.id, domainId: domain.id, tokenHash: randomBytes(32).toString("hex"), createdByEmail: "admin@acme.example", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  const [support, spareQueue] = await usedAndSpare(makeQueue, "Support", "Spare");
  const [billing, spareSkill] = await usedAndSpare(makeSkill, "Billing", "Spare skill");
  const [english, spareLanguage] = await usedAndSpare(makeLanguage, "English", "Spare language");
  const route = await makeRoute(db, acme.id, domain, "support", support.id, { skillIds: [billing.id] });
  const activeKey = await makeDkimKey(domain, "erc1", "active", 0);
  const pendingKey = await makeDkimKey(domain, "erc1-202611", "pending", 1);
  const admin = await actAs("admin@acme.example");
  const { webhook } = await saveWebhook(db, admin, { url: webhookUrl, enabled: true }, webhookDependencies(getConfig()));
  actAsNobody();
  await db.apiKey.deleteMany();
  const apiKey = await db.apiKey.create({
    data: {
      organizationId: acme.id,
      name: "ci",
      ability: "manage",
      prefix: `erc_${randomBytes(6).toString("hex")}`,
      secretHash: "0".repeat(64),
      createdById: admin.userId,
      createdByEmail: admin.email,
    },
  });
  const testMessage = await db.testMessage.create({
    data: {
      organizationId: acme.id,
      token: randomBytes(24).toString("hex"),
      targetAddress: route.address,
      routeAddress: route.address,
      domainId: domain.id,
      scenario: "own_domain",
      envelopeFrom: `trace-${randomBytes(4).toString("hex")}@${PLATFORM_TEST_ENV.PLATFORM_DOMAIN}`,
      createdByEmail: "admin@acme.example",
    },
  });
  const setupRun = await db.setupRun.create({ data: { organizationId: acme.id, startedById: admin.userId, step: "domain", scenario: "own_domain" } });
  return {
    domain,
    platformDomain,
    failedDomain,
    shareLink,
    support,
    spareQueue,
    billing,
    spareSkill,
    english,
    spareLanguage,
    route,
    webhook,
    testMessage,
    activeKey,
    pendingKey,
    apiKey,
    setupRun,
  };
}
type World = Awaited<ReturnType<typeof buildWorld>>;

const SAMPLES: Record<string, { ability: Ability; input: (world: World) => Record<string, unknown> }> = {
  // app/(console)/domains/actions.ts
  checkDomainAvailabilityAction: { ability: "manage", input: () => ({ domain: "new.acme.test" }) },
  checkPlatformLabelAvailabilityAction: { ability: "manage", input: () => ({ label: "acme-new" }) },
  registerDomainAction: { ability: "manage", input: () => ({ kind: "platform", scenario: "platform_domain", label: "acme-new" }) },
  checkDomainNowAction: { ability: "manage", input: (w) => ({ domainId: w.platformDomain.id, trigger: "manual" }) },
  refreshDomainAction: { ability: "view", input: (w) => ({ domainId: w.domain.id }) },
  deleteDomainAction: { ability: "manage", input: (w) => ({ domainId: w.domain.id, confirmation: "help.acme.test", deleteRoutes: true }) },
  restartVerificationAction: { ability: "manage", input: (w) => ({ domainId: w.failedDomain.id }) },
  // app/(console)/domains/share-actions.ts
  createShareLinkAction: { ability: "manage", input: (w) => ({ domainId: w.domain.id, validDays: 7 }) },
  revokeShareLinkAction: { ability: "manage", input: (w) => ({ linkId: w.shareLink.id }) },
  listShareLinksAction: { ability: "view", input: (w) => ({ domainId: w.domain.id }) },
  // app/(console)/domains/dkim-actions.ts
  dkimPanelAction: { ability: "view", input: (w) => ({ domainId: w.domain.id }) },
  runDkimSelfTestAction: { ability: "manage", input: (w) => ({ domainId: w.domain.id }) },
  rotateDkimKeyAction: { ability: "manage", input: (w) => ({ domainId: w.failedDomain.id }) },
  switchDkimKeyAction: { ability: "manage", input: (w) => ({ domainId: w.domain.id, keyId: w.pendingKey.id }) },
  discardDkimKeyAction: { ability: "manage", input: (w) => ({ domainId: w.domain.id, keyId: w.pendingKey.id }) },
  // app/(console)/notifications/actions.ts
  markNotificationsReadAction: { ability: "view", input: () => ({ upTo: new Date().toISOString() }) },
  saveWebhookAction: { ability: "manage", input: (w) => ({ url: `${webhookUrl}/v2`, enabled: false, version: w.webhook.version }) },
  revealWebhookSecretAction: { ability: "manage", input: () => ({}) },
  rotateWebhookSecretAction: { ability: "manage", input: (w) => ({ version: w.webhook.version }) },
  deleteWebhookAction: { ability: "manage", input: () => ({}) },
  sendTestWebhookAction: { ability: "manage", input: () => ({}) },
  // app/(console)/queues/actions.ts
  createQueueAction: { ability: "manage", input: () => ({ name: "Sales", description: "New business" }) },
  updateQueueAction: { ability: "manage", input: (w) => ({ id: w.support.id, version: 1, name: "Support desk", description: "First line" }) },
  deleteQueueAction: { ability: "manage", input: (w) => ({ id: w.spareQueue.id }) },
  createSkillAction: { ability: "manage", input: () => ({ name: "Returns" }) },
  updateSkillAction: { ability: "manage", input: (w) => ({ id: w.billing.id, version: 1, name: "Billing EU" }) },
  deleteSkillAction: { ability: "manage", input: (w) => ({ id: w.spareSkill.id }) },
  createLanguageAction: { ability: "manage", input: () => ({ name: "French" }) },
  updateLanguageAction: { ability: "manage", input: (w) => ({ id: w.english.id, version: 1, name: "English (UK)" }) },
  deleteLanguageAction: { ability: "manage", input: (w) => ({ id: w.spareLanguage.id }) },
  catalogueUsageAction: { ability: "view", input: (w) => ({ kind: "queue", id: w.support.id }) },
  // app/(console)/routes/actions.ts
  createRouteAction: {
    ability: "manage",
    input: (w) => ({
      domainId: w.domain.id,
      pattern: "sales",
      queueId: w.support.id,
      fromName: "Acme Sales",
      skillIds: [w.billing.id],
      languageId: w.english.id,
      autoBcc: ["copies@help.acme.test"],
      spamQueueId: w.spareQueue.id,
    }),
  },
  updateRouteAction: {
    ability: "manage",
    input: (w) => ({ id: w.route.id, version: 1, domainId: w.domain.id, pattern: "support", queueId: w.support.id, fromName: "Acme Help" }),
  },
  deleteRouteAction: { ability: "manage", input: (w) => ({ id: w.route.id }) },
  testAddressAction: { ability: "view", input: () => ({ address: "support@help.acme.test" }) },
  // app/(console)/setup/actions.ts
  saveWizardAction: {
    ability: "manage",
    input: (w) => ({ step: "addresses", scenario: "own_domain", domainId: w.domain.id, data: { originalDomain: "acme.test" } }),
  },
  discardSetupRunAction: { ability: "manage", input: (w) => ({ runId: w.setupRun.id }) },
  addWizardAddressAction: {
    ability: "manage",
    input: (w) => ({ domainId: w.domain.id, pattern: "welcome", queueId: "__new__", newQueueName: "Welcome", fromName: "Acme" }),
  },
  // app/(console)/settings/api-keys/actions.ts
  createApiKeyAction: { ability: "manage", input: () => ({ name: "terraform", ability: "view", expiresOn: "" }) },
  revokeApiKeyAction: { ability: "manage", input: (w) => ({ id: w.apiKey.id }) },
  // app/(console)/test-messages/actions.ts
  sendTestMessageAction: { ability: "manage", input: () => ({ address: "support@help.acme.test" }) },
  watchTestMessageAction: { ability: "view", input: (w) => ({ id: w.testMessage.id }) },
};

// ---------------------------------------------------------------------------------------------
// "Nothing changed": every table (and the job queue), row by row, before and after.

const IGNORED_TABLES = new Set(["sessions", "login_failures", "worker_heartbeats"]);
const tables = (
  await db.$queryRaw<{ table_name: string; scoped: boolean }[]>`
    SELECT c.table_name, bool_or(c.column_name = 'organization_id') AS scoped
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
     GROUP BY c.table_name ORDER BY c.table_name`
).filter((table) => !IGNORED_TABLES.has(table.table_name));

/**
 * A digest of every row of every table; with an organisation, only the tables that carry one, and
 * only its rows (another organisation's action may change its own).
 */
async function snapshot(organizationId?: string): Promise<Record<string, string>> {
  const parts = tables
    .filter((table) => !organizationId || table.scoped)
    .map(
      (table) =>
        `SELECT '${table.table_name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table.table_name}" t` +
        (organizationId ? ` WHERE t.organization_id = '${organizationId}'::uuid` : ""),
    );
  const [jobs] = await db.$queryRawUnsafe<{ present: boolean }[]>(`SELECT to_regclass('${JOB_SCHEMA}.job') IS NOT NULL AS present`);
  if (!organizationId && jobs?.present) {
    parts.push(
      `SELECT 'jobs' AS name, md5(coalesce(string_agg(concat_ws(',', name, singleton_key, data::text, state::text), '|' ORDER BY id), '')) FROM ${JOB_SCHEMA}.job`,
    );
  }
  const rows = await db.$queryRawUnsafe<{ name: string; digest: string }[]>(parts.join(" UNION ALL "));
  return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
}

/** Every string in an input, with its dotted path (as fieldErrors keys name it). */
function stringLeaves(value: unknown, at: string[] = []): { path: string[]; value: string }[] {
  if (typeof value === "string") return [{ path: at, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, [...at, String(index)]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => stringLeaves(item, [...at, key]));
  return [];
}

function withLeaf(input: unknown, leafPath: string[], replacement: string): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  let target = copy as Record<string, unknown>;
  for (const key of leafPath.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[leafPath[leafPath.length - 1]!] = replacement;
  return copy;
}

function worldIds(world: World): string[] {
  return Object.values(world).map((row) => row.id);
}

// ---------------------------------------------------------------------------------------------

describe("server actions found in the source tree", () => {
  it("finds the actions, each made by defineAction with the ability its sample says, and a sample for each", () => {
    expect(found.length).toBeGreaterThanOrEqual(28);
    expect(inlineDirectives, "\"use server\" inside a function: move the action to an actions.ts module").toEqual([]);
    const missing = found.filter(({ exportName }) => !SAMPLES[exportName]).map(({ file, exportName }) => `${file}: ${exportName}`);
    expect(missing, "add a row to SAMPLES for each new action").toEqual([]);
    const unguarded = found.filter(({ action }) => !actionDefinition(action)).map(({ file, exportName }) => `${file}: ${exportName}`);
    expect(unguarded, "every exported server action must be made with defineAction").toEqual([]);
    for (const { exportName, action } of found) expect(actionDefinition(action)?.ability, exportName).toBe(SAMPLES[exportName]?.ability);
    const stale = Object.keys(SAMPLES).filter((name) => !found.some((entry) => entry.exportName === name));
    expect(stale, "SAMPLES rows for actions that no longer exist").toEqual([]);
  });
});

describe.each(found)("$exportName ($file)", ({ exportName, action }) => {
  const sample = SAMPLES[exportName];
  const ability = actionDefinition(action)?.ability;

  it("is refused signed out, to a viewer, without the permission, without a licence and from another organisation; nothing changes", async () => {
    if (!sample) throw new Error(`No sample input for ${exportName}: add one to SAMPLES`);
    const world = await buildWorld();
    const input = sample.input(world);
    const before = await snapshot();
    const beforeAcme = await snapshot(acme.id);
    const expectRefused = async (who: string, code: string) => {
      const result = await action(input);
      expect(result, who).toMatchObject({ ok: false, code });
      expect(await snapshot(), `${who}: nothing changed`).toEqual(before);
    };

    actAsNobody();
    await expectRefused("signed out", "unauthenticated");
    if (ability === "manage") {
      await actAs("viewer@acme.example");
      await expectRefused("viewer", "permission_required");
    }
    await actAs("nopermission@acme.example");
    await expectRefused("no permission", "permission_required");
    await actAs("admin@globex.example");
    await expectRefused("unlicensed", "licence_required");

    // Another organisation's admin, with this organisation's ids: as if they did not exist. An
    // input without ids can only act on the caller's own organisation: this one's stays as it was.
    await actAs(INITECH_ADMIN);
    const result = await action(input);
    if (worldIds(world).some((id) => JSON.stringify(input).includes(id))) {
      expect(result, "another organisation").toMatchObject({ ok: false });
      if (!result.ok) {
        expect(["not_found", "validation"], `another organisation: ${result.code} ${result.error}`).toContain(result.code);
        expect(result.error).toMatch(/not found|no longer exists|unknown|does not exist|not one of|need attention|choose/i);
      }
      expect(await snapshot(), "another organisation: nothing changed").toEqual(before);
    } else {
      expect(await snapshot(acme.id), "another organisation: nothing of this one changed").toEqual(beforeAcme);
    }
  });

  it("answers a control character in any text field with a field error; nothing changes", async () => {
    if (!sample) throw new Error(`No sample input for ${exportName}: add one to SAMPLES`);
    const world = await buildWorld();
    const input = sample.input(world);
    const before = await snapshot();
    await actAs("admin@acme.example");
    for (const leaf of stringLeaves(input)) {
      for (const bad of [`${leaf.value}\u0000`, `a\u0000${leaf.value}`]) {
        const result = await action(withLeaf(input, leaf.path, bad));
        const where = `${leaf.path.join(".")} = ${JSON.stringify(bad)}`;
        expect(result, where).toMatchObject({ ok: false, code: "validation" });
        if (!result.ok) expect(Object.keys(result.fieldErrors ?? {}).some((key) => key.split(".")[0] === leaf.path[0]), `${where}: ${JSON.stringify(result.fieldErrors)}`).toBe(true);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("accepts its sample input from the organisation's admin, so the refusals above came from the gate", async () => {
    if (!sample) throw new Error(`No sample input for ${exportName}: add one to SAMPLES`);
    const world = await buildWorld();
    await actAs("admin@acme.example");
    const result = await action(sample.input(world));
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
  });
});

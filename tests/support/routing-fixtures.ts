import { upsertOrganization, upsertUser } from "@/lib/accounts/accounts";
import { seedDemoData } from "@/lib/accounts/demo-seed";
import type { Database } from "@/lib/db/client";

/**
 * Rows the routing tests build on, written straight to the database: domains in a chosen status
 * (verification itself is tested elsewhere), catalogue entries, and a second licensed organisation
 * (Initech) whose administrator must never reach Acme's data.
 */
type DomainStatus = "pending" | "verified" | "grace" | "degraded" | "failed";
type Scenario = "own_domain" | "own_domain_with_copies" | "platform_domain" | "platform_domain_with_copies";

export const INITECH_ADMIN = "admin@initech.example";

export async function seedRoutingOrganizations(db: Database) {
  await seedDemoData(db);
  await upsertOrganization(db, { slug: "initech", name: "Initech", licences: ["Genesys Cloud CX 2"] });
  await upsertUser(db, {
    organizationSlug: "initech",
    email: INITECH_ADMIN,
    name: "Ian Initech",
    password: "initech-admin-password",
    permissions: ["routing:email:manage"],
  });
  const [acme, globex, initech] = await Promise.all(
    ["acme", "globex", "initech"].map((slug) => db.organization.findUniqueOrThrow({ where: { slug } })),
  );
  return { acme: acme!, globex: globex!, initech: initech! };
}

export async function makeDomain(
  db: Database,
  organizationId: string,
  name: string,
  options: { status?: DomainStatus; scenario?: Scenario; displayName?: string } = {},
) {
  const scenario = options.scenario ?? "own_domain";
  const platform = scenario.startsWith("platform");
  return db.domain.create({
    data: {
      organizationId,
      name,
      displayName: options.displayName ?? name,
      kind: platform ? "platform" : "custom",
      scenario,
      platformLabel: platform ? name.split(".")[0] : null,
      status: options.status ?? "verified",
      verifiedAt: options.status === "pending" ? null : new Date(),
    },
  });
}

export function makeQueue(db: Database, organizationId: string, name: string) {
  return db.queue.create({ data: { organizationId, name, nameKey: name.toLowerCase() } });
}

export function makeSkill(db: Database, organizationId: string, name: string) {
  return db.skill.create({ data: { organizationId, name, nameKey: name.toLowerCase() } });
}

export function makeLanguage(db: Database, organizationId: string, name: string) {
  return db.language.create({ data: { organizationId, name, nameKey: name.toLowerCase() } });
}

/**
 * The world most route tests start from: a verified domain (help.acme.test) and a pending one
 * (new.acme.test), the queues Support and Spam, the skill Billing and the language English.
 */
export async function makeRoutingWorld(db: Database, organizationId: string) {
  const domain = await makeDomain(db, organizationId, "help.acme.test");
  const pendingDomain = await makeDomain(db, organizationId, "new.acme.test", { status: "pending" });
  const support = await makeQueue(db, organizationId, "Support");
  const spam = await makeQueue(db, organizationId, "Spam");
  const billing = await makeSkill(db, organizationId, "Billing");
  const english = await makeLanguage(db, organizationId, "English");
  return { domain, pendingDomain, support, spam, billing, english };
}

/** A route written directly (no audit entry): for tests about reading, not about creating. */
export function makeRoute(
  db: Database,
  organizationId: string,
  domain: { id: string; name: string },
  pattern: string,
  queueId: string,
  extra: { skillIds?: string[]; replyRouteId?: string; priority?: number } = {},
) {
  return db.route.create({
    data: {
      organizationId,
      domainId: domain.id,
      pattern,
      patternKey: pattern.toLowerCase(),
      address: `${pattern}@${domain.name}`.toLowerCase(),
      queueId,
      fromName: "Test",
      priority: extra.priority ?? 5,
      replyRouteId: extra.replyRouteId ?? null,
      skills: { createMany: { data: (extra.skillIds ?? []).map((skillId) => ({ skillId })) } },
    },
  });
}

/** Empties everything the routing tests create, children first. */
export async function clearRouting(db: Database): Promise<void> {
  await db.routeSkill.deleteMany();
  await db.route.updateMany({ data: { replyRouteId: null } });
  await db.route.deleteMany();
  await db.auditEntry.deleteMany();
  await db.testMessage.deleteMany();
  await db.setupRun.deleteMany();
  await db.domain.deleteMany();
  await db.queue.deleteMany();
  await db.skill.deleteMany();
  await db.language.deleteMany();
}

export function routeCount(db: Database, organizationId?: string): Promise<number> {
  return db.route.count({ where: organizationId ? { organizationId } : {} });
}

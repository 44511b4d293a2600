import "server-only";

import type { Database } from "@/lib/db/client";

import { upsertOrganization, upsertUser } from "./accounts";

/**
 * The demo data `npm start` prints sign-in details for and the browser tests sign in with. Running
 * the seed again restores exactly this state for these accounts (names, passwords, permissions).
 */
export const DEMO_ORGANIZATIONS = [
  { slug: "acme", name: "Acme", licences: ["Genesys Cloud CX 3"] },
  { slug: "globex", name: "Globex", licences: ["Genesys Cloud CX 1"] },
] as const;

export const DEMO_ACCOUNTS = [
  {
    role: "Acme administrator (can manage)",
    organizationSlug: "acme",
    email: "admin@acme.example",
    name: "Ada Admin",
    password: "acme-admin-password",
    permissions: ["routing:email:manage"],
  },
  {
    role: "Acme viewer (read-only)",
    organizationSlug: "acme",
    email: "viewer@acme.example",
    name: "Victor Viewer",
    password: "acme-viewer-password",
    permissions: ["routing:email:view"],
  },
  {
    role: "Acme user without email routing permission",
    organizationSlug: "acme",
    email: "nopermission@acme.example",
    name: "Nora Nopermission",
    password: "acme-nopermission-password",
    permissions: [],
  },
  {
    role: "Globex administrator (licence does not qualify)",
    organizationSlug: "globex",
    email: "admin@globex.example",
    name: "Gary Globex",
    password: "globex-admin-password",
    permissions: ["routing:email:manage"],
  },
] as const;

export type DemoAccount = (typeof DEMO_ACCOUNTS)[number];

export async function seedDemoData(db: Database): Promise<void> {
  for (const organization of DEMO_ORGANIZATIONS) {
    await upsertOrganization(db, { ...organization, licences: [...organization.licences] });
  }
  for (const account of DEMO_ACCOUNTS) {
    const { role: _role, ...user } = account;
    await upsertUser(db, { ...user, permissions: [...user.permissions] });
  }
}

/** The addresses the demo organisation receives mail at once `npm start` is up (its platform label). */
export const DEMO_MAIL_LABEL = "acme";
export const DEMO_MAIL_ROUTES = [
  { pattern: "support", queue: "Support" },
  { pattern: "sales", queue: "Sales" },
] as const;

/**
 * Gives the demo organisation (Acme) a platform label and routes, so a fresh local install accepts
 * mail at support@acme.<PLATFORM_DOMAIN> on the inbound SMTP gateway straight away. Kept apart from
 * seedDemoData: tests that build their own domains and routes start from accounts only. Leaves
 * anything an admin changed alone (creates what is missing, never overwrites).
 */
export async function seedDemoMailRouting(db: Database, platformDomain: string): Promise<string[]> {
  const acme = await db.organization.findUnique({ where: { slug: "acme" }, select: { id: true } });
  if (!acme) return [];
  const name = `${DEMO_MAIL_LABEL}.${platformDomain}`;
  let domain = await db.domain.findUnique({ where: { name }, select: { id: true, organizationId: true } });
  if (!domain) {
    const taken = await db.domain.findUnique({ where: { platformLabel: DEMO_MAIL_LABEL }, select: { id: true } });
    if (taken) return [];
    domain = await db.domain.create({
      data: {
        organizationId: acme.id,
        kind: "platform",
        scenario: "platform_domain",
        name,
        displayName: name,
        platformLabel: DEMO_MAIL_LABEL,
        status: "verified",
        verifiedAt: new Date(),
      },
      select: { id: true, organizationId: true },
    });
  }
  if (domain.organizationId !== acme.id) return [];
  const addresses: string[] = [];
  for (const { pattern, queue: queueName } of DEMO_MAIL_ROUTES) {
    const nameKey = queueName.toLowerCase();
    const queue = await db.queue.upsert({
      where: { organizationId_nameKey: { organizationId: acme.id, nameKey } },
      create: { organizationId: acme.id, name: queueName, nameKey },
      update: {},
      select: { id: true },
    });
    const address = `${pattern}@${name}`;
    await db.route.upsert({
      where: { domainId_patternKey: { domainId: domain.id, patternKey: pattern } },
      create: { organizationId: acme.id, domainId: domain.id, pattern, patternKey: pattern, address, queueId: queue.id, fromName: `Acme ${queueName}` },
      update: {},
    });
    addresses.push(address);
  }
  return addresses;
}

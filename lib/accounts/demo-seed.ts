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

import "server-only";

import { hashPassword } from "@/lib/auth/password";
import type { Database } from "@/lib/db/client";
import { ConflictError, NotFoundError } from "@/lib/errors";

import { organizationInputSchema, userInputSchema, type OrganizationInput, type UserInput } from "./schemas";

/** Operator-level account management (CLI and seed); not reachable from the console's UI. */

export async function createOrganization(db: Database, input: OrganizationInput) {
  const data = organizationInputSchema.parse(input);
  const existing = await db.organization.findUnique({ where: { slug: data.slug } });
  if (existing) throw new ConflictError(`An organisation with slug "${data.slug}" already exists.`, { slug: ["Already taken"] });
  return db.organization.create({ data: { name: data.name, slug: data.slug, licences: [...new Set(data.licences)] } });
}

export async function createUser(db: Database, input: UserInput) {
  const data = userInputSchema.parse(input);
  const organization = await db.organization.findUnique({ where: { slug: data.organizationSlug } });
  if (!organization) throw new NotFoundError(`No organisation has the slug "${data.organizationSlug}".`);
  const existing = await db.user.findUnique({ where: { email: data.email } });
  if (existing) throw new ConflictError(`A user with email ${data.email} already exists.`, { email: ["Already registered"] });
  return db.user.create({
    data: {
      organizationId: organization.id,
      email: data.email,
      name: data.name,
      passwordHash: await hashPassword(data.password),
      permissions: [...new Set(data.permissions)],
    },
  });
}

/** Creates or brings up to date (name, licences) an organisation; used by the idempotent seed. */
export async function upsertOrganization(db: Database, input: OrganizationInput) {
  const data = organizationInputSchema.parse(input);
  return db.organization.upsert({
    where: { slug: data.slug },
    create: { name: data.name, slug: data.slug, licences: data.licences },
    update: { name: data.name, licences: data.licences },
  });
}

/** Creates or resets a user (organisation, name, password, permissions); used by the seed. */
export async function upsertUser(db: Database, input: UserInput) {
  const data = userInputSchema.parse(input);
  const organization = await db.organization.findUniqueOrThrow({ where: { slug: data.organizationSlug } });
  const existing = await db.user.findUnique({ where: { email: data.email } });
  const fields = { organizationId: organization.id, name: data.name, permissions: data.permissions };
  if (existing) {
    return db.user.update({
      where: { id: existing.id },
      data: { ...fields, passwordHash: await hashPassword(data.password) },
    });
  }
  return db.user.create({ data: { ...fields, email: data.email, passwordHash: await hashPassword(data.password) } });
}

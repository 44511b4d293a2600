import "server-only";

import { randomBytes, randomUUID } from "node:crypto";

import type { z } from "zod";

import type { DbClient, Prisma } from "@/lib/db/client";
import { generateDkimKey } from "@/lib/dkim/keys";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { ConflictError, LimitError, NotFoundError, ValidationError } from "@/lib/errors";

import type { registerDomainSchema } from "./domain-schemas";
import { buildExpectedRecords, storedFromExpected } from "./expected-records";
import { checkHostname, checkPlatformLabel, isSameOrSubdomain } from "./hostname";
import type { PlatformSettings } from "./settings";

/** Domains of one organisation. Every query is scoped by the organisation id from the session. */

export interface DomainDependencies {
  settings: PlatformSettings;
  secretsKey: string;
  now?: Date;
}

const TAKEN_MESSAGE =
  "This domain is already registered to another organisation. If it belongs to you, contact support to have it released.";

export type Availability = { available: true; ascii: string; unicode: string } | { available: false; reason: string };
export type LabelAvailability = { available: true; ascii: string; unicode: string; label: string } | { available: false; reason: string };

/** For the wizard's as-you-type check; says nothing about who holds a taken domain. */
export async function checkCustomDomainAvailability(
  db: DbClient,
  organizationId: string,
  input: string,
  settings: PlatformSettings,
): Promise<Availability> {
  const checked = checkHostname(input);
  if (!checked.ok) return { available: false, reason: checked.error };
  if (isSameOrSubdomain(checked.ascii, settings.platformDomain)) {
    return {
      available: false,
      reason: `${settings.platformDomain} is the platform's own domain. To use it, choose one of the platform domain scenarios.`,
    };
  }
  const existing = await db.domain.findUnique({ where: { name: checked.ascii }, select: { organizationId: true } });
  if (existing) {
    return { available: false, reason: existing.organizationId === organizationId ? "You have already registered this domain." : TAKEN_MESSAGE };
  }
  return { available: true, ascii: checked.ascii, unicode: checked.unicode };
}

/**
 * For the wizard's as-you-type check and for registration: takes the label as typed, normalises it
 * (checkPlatformLabel) and says why it cannot be had — malformed, reserved, already this
 * organisation's, or taken (without saying by whom).
 */
export async function checkPlatformLabelAvailability(
  db: DbClient,
  organizationId: string,
  input: string,
  settings: PlatformSettings,
): Promise<LabelAvailability> {
  const checked = checkPlatformLabel(input);
  if (!checked.ok) return { available: false, reason: checked.error };
  const { label } = checked;
  const name = `${label}.${settings.platformDomain}`;
  if (settings.reservedPlatformLabels.includes(label)) {
    return { available: false, reason: `"${label}" is reserved for the platform's own use. Choose another name, such as your company name.` };
  }
  const taken = await db.domain.findFirst({ where: { OR: [{ platformLabel: label }, { name }] }, select: { organizationId: true } });
  if (taken) {
    return {
      available: false,
      reason: taken.organizationId === organizationId ? `${name} is already yours: your organisation registered it earlier.` : `${name} is taken. Try another name.`,
    };
  }
  return { available: true, ascii: name, unicode: name, label };
}

export async function registerDomain(
  db: DbClient,
  organizationId: string,
  input: z.output<typeof registerDomainSchema>,
  deps: DomainDependencies,
) {
  const count = await db.domain.count({ where: { organizationId } });
  if (count >= deps.settings.maxDomainsPerOrganization) {
    throw new LimitError(`Your organisation has reached its limit of ${deps.settings.maxDomainsPerOrganization} domains. Delete one you no longer use first.`);
  }
  const now = deps.now ?? new Date();
  try {
    if (input.kind === "platform") {
      const availability = await checkPlatformLabelAvailability(db, organizationId, input.label, deps.settings);
      if (!availability.available) throw new ConflictError(availability.reason, { label: [availability.reason] });
      // The platform domain is ours: nothing for the admin to publish, so it is verified at once.
      return await db.domain.create({
        data: {
          organizationId,
          kind: "platform",
          scenario: input.scenario,
          name: availability.ascii,
          displayName: availability.ascii,
          platformLabel: availability.label,
          status: "verified",
          verifiedAt: now,
          statusChangedAt: now,
          verificationStartedAt: now,
        },
        include: { records: { orderBy: { position: "asc" } } },
      });
    }
    const availability = await checkCustomDomainAvailability(db, organizationId, input.domain, deps.settings);
    if (!availability.available) {
      throw new ConflictError(availability.reason, { domain: [availability.reason] });
    }
    const ownershipToken = randomBytes(24).toString("base64url");
    const dkim = await generateDkimKey(deps.secretsKey);
    const dkimKeyId = randomUUID();
    const records = buildExpectedRecords(
      { name: availability.ascii, ownershipToken, dkimSelector: deps.settings.dkimSelector, dkimPublicKey: dkim.publicKey },
      deps.settings,
    );
    const create = async (tx: Prisma.TransactionClient) => {
      const domain = await tx.domain.create({
        data: {
          organizationId,
          kind: "custom",
          scenario: input.scenario,
          name: availability.ascii,
          displayName: availability.unicode,
          ownershipToken,
          statusChangedAt: now,
          verificationStartedAt: now,
          // The first key signs from the start; rotating it later adds others (lib/dkim).
          dkimKeys: {
            create: {
              id: dkimKeyId,
              selector: deps.settings.dkimSelector,
              publicKey: dkim.publicKey,
              privateKeySealed: dkim.privateKeySealed,
              state: "active",
              createdAt: now,
              activatedAt: now,
            },
          },
        },
        select: { id: true },
      });
      // After the key: each DKIM record row names the key it publishes.
      await tx.domainRecord.createMany({
        data: records.map((record, position) => ({
          domainId: domain.id,
          ...storedFromExpected(record, position),
          ...(record.kind === "dkim" ? { dkimKeyId } : {}),
        })),
      });
      return tx.domain.findUniqueOrThrow({ where: { id: domain.id }, include: { records: { orderBy: { position: "asc" } } } });
    };
    return await ("$transaction" in db ? db.$transaction(create) : create(db));
  } catch (error) {
    // Two organisations racing for the same name: the unique index decides, the loser hears why.
    if (isUniqueViolation(error)) {
      if (input.kind === "platform") throw new ConflictError("That name was just taken. Try another.", { label: ["That name was just taken. Try another."] });
      throw new ConflictError(TAKEN_MESSAGE, { domain: [TAKEN_MESSAGE] });
    }
    throw error;
  }
}

/** Columns safe to send to a browser (no private key). */
export const domainPublicSelect = {
  id: true,
  kind: true,
  scenario: true,
  name: true,
  displayName: true,
  platformLabel: true,
  status: true,
  statusChangedAt: true,
  verificationStartedAt: true,
  verifiedAt: true,
  graceStartedAt: true,
  lastCheckedAt: true,
  nextCheckAt: true,
  version: true,
  createdAt: true,
  records: {
    orderBy: { position: "asc" as const },
    // DKIM records: which key they publish (never the key's private half).
    include: {
      dkimKey: {
        select: { id: true, selector: true, state: true, retireAfter: true, selfTestOutcome: true, selfTestCode: true, selfTestDetail: true, selfTestedAt: true },
      },
    },
  },
} as const;

export async function getDomain(db: DbClient, organizationId: string, domainId: string) {
  const domain = await db.domain.findFirst({ where: { id: domainId, organizationId }, select: domainPublicSelect });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return domain;
}

export async function findDomainByName(db: DbClient, organizationId: string, name: string) {
  const checked = checkHostname(name);
  if (!checked.ok) return null;
  return db.domain.findFirst({ where: { name: checked.ascii, organizationId }, select: domainPublicSelect });
}

export function listDomains(db: DbClient, organizationId: string) {
  return db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: domainPublicSelect });
}

export async function restartVerification(db: DbClient, organizationId: string, domainId: string, now = new Date()) {
  const updated = await db.domain.updateMany({
    where: { id: domainId, organizationId, status: "failed" },
    data: { status: "pending", verificationStartedAt: now, statusChangedAt: now, version: { increment: 1 } },
  });
  if (updated.count === 0) {
    await getDomain(db, organizationId, domainId); // not found → NotFoundError
    throw new ValidationError("Only a domain whose verification gave up can be restarted.");
  }
}

export async function deleteDomain(
  db: DbClient,
  organizationId: string,
  input: { domainId: string; confirmation: string; deleteRoutes?: boolean },
) {
  const domain = await getDomain(db, organizationId, input.domainId);
  const typed = checkHostname(input.confirmation);
  if (!typed.ok || typed.ascii !== domain.name) {
    throw new ValidationError("The name you typed does not match this domain.", { confirmation: [`Type ${domain.displayName} exactly to confirm`] });
  }
  const routeCount = await db.route.count({ where: { domainId: domain.id, organizationId } });
  if (routeCount > 0 && !input.deleteRoutes) {
    const message = `${domain.displayName} has ${routeCount} ${routeCount === 1 ? "route" : "routes"}. Delete them too, or move them first.`;
    throw new ValidationError(message, { deleteRoutes: [message] });
  }
  // Routes elsewhere that reply from an address on this domain would be left pointing at nothing.
  const dependents = await db.route.findMany({
    where: { organizationId, domainId: { not: domain.id }, replyRoute: { domainId: domain.id } },
    select: { address: true },
    take: 5,
  });
  if (dependents.length > 0) {
    throw new ValidationError(
      `Routes on other domains reply from addresses on ${domain.displayName} (${dependents.map((route) => route.address).join(", ")}). Change their reply address first.`,
    );
  }
  await db.domain.delete({ where: { id: domain.id } }); // its records, checks and routes go with it
  return { ...domain, routeCount };
}

import "server-only";

import { randomBytes, randomUUID } from "node:crypto";

import type { z } from "zod";

import type { DbClient, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { generateDkimKey } from "@/lib/domains/dkim/keys";
import { ConflictError, LimitError, ValidationError } from "@/lib/errors";

import { buildExpectedRecords, storedFromExpected } from "./expected-records";
import { checkHostname } from "./hostname";
import { checkCustomDomainAvailability, checkPlatformLabelAvailability, getDomain, TAKEN_MESSAGE } from "./queries";
import type { registerDomainSchema } from "./schemas";
import type { DomainDependencies } from "./settings";

/**
 * The rows of one organisation's domains, written inside the caller's transaction: registration,
 * deletion, restarting verification. The use cases in lib/domains/commands/ wrap each with its
 * transaction, audit entry and follow-ups. Every statement is scoped by the organisation id from
 * the session.
 */

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

export async function unregisterDomain(
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

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { recordAudit } from "@/lib/audit/audit";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config/env";
import { domainDependencies, verificationOptions } from "@/lib/domains/domain-context";
import { deleteDomainSchema, domainIdSchema, registerDomainSchema } from "@/lib/domains/domain-schemas";
import {
  checkCustomDomainAvailability,
  checkPlatformLabelAvailability,
  deleteDomain,
  getDomain,
  registerDomain,
  restartVerification,
} from "@/lib/domains/domains";
import { platformSettings } from "@/lib/domains/settings";
import { verifyAndRecord } from "@/lib/domains/verification";
import { buildDomainView } from "@/lib/domains/view";
import { scheduleDomainChecks } from "@/lib/jobs/domain-checks";
import { saveWizardState } from "@/lib/setup/wizard";
import { plainText } from "@/lib/validation/plain-text";

/** Automatic re-checks closer together than this return the stored result: DNS is not free. */
const MIN_CHECK_INTERVAL_MS = 5_000;

export const checkDomainAvailabilityAction = defineAction(
  { name: "checkDomainAvailability", ability: "manage", input: z.object({ domain: plainText().max(300) }) },
  async (input, { actor, db }) => checkCustomDomainAvailability(db, actor.organizationId, input.domain, platformSettings(getConfig())),
);

export const checkPlatformLabelAvailabilityAction = defineAction(
  { name: "checkPlatformLabelAvailability", ability: "manage", input: z.object({ label: plainText().max(100) }) },
  async (input, { actor, db }) => checkPlatformLabelAvailability(db, actor.organizationId, input.label, platformSettings(getConfig())),
);

export const registerDomainAction = defineAction(
  { name: "registerDomain", ability: "manage", input: registerDomainSchema.and(z.object({ fromWizard: z.boolean().default(false) })) },
  async (input, { actor, db }) => {
    const deps = domainDependencies();
    const domain = await db.$transaction(async (tx) => {
      const created = await registerDomain(tx, actor.organizationId, input, deps);
      await recordAudit(tx, actor, {
        action: "domain.register",
        entityType: "domain",
        entityId: created.id,
        entityLabel: created.displayName,
        after: { name: created.name, kind: created.kind, scenario: created.scenario, status: created.status },
      });
      if (input.fromWizard) {
        await saveWizardState(tx, actor, { domainId: created.id, scenario: created.scenario, step: created.kind === "custom" ? "dns" : "addresses" });
      }
      return created;
    });
    // After the commit: the worker must find the domain when the job runs.
    await scheduleDomainChecks(domain.id, { db });
    revalidatePath("/domains");
    return buildDomainView(db, await getDomain(db, actor.organizationId, domain.id));
  },
);

/** "Check now": asks DNS again, whatever the last result. */
export const checkDomainNowAction = defineAction(
  { name: "checkDomainNow", ability: "manage", input: domainIdSchema.and(z.object({ trigger: z.enum(["manual", "wizard"]).default("manual") })) },
  async (input, { actor, db }) => {
    const domain = await getDomain(db, actor.organizationId, input.domainId);
    if (domain.kind === "custom") {
      await verifyAndRecord(db, actor.organizationId, domain.id, input.trigger, await verificationOptions());
    }
    revalidatePath("/domains");
    return buildDomainView(db, await getDomain(db, actor.organizationId, domain.id));
  },
);

/**
 * The verification panel's polling while a domain is pending. Viewers poll too, but only read what
 * the last check stored: a check changes the status and sends notifications and webhooks, which
 * needs the manage permission (as "Check now" does).
 */
export const refreshDomainAction = defineAction(
  { name: "refreshDomain", ability: "view", input: domainIdSchema },
  async (input, { actor, db }) => {
    const domain = await getDomain(db, actor.organizationId, input.domainId);
    const due = !domain.lastCheckedAt || Date.now() - domain.lastCheckedAt.getTime() >= MIN_CHECK_INTERVAL_MS;
    if (can(actor, "manage") && domain.kind === "custom" && domain.status === "pending" && due) {
      await verifyAndRecord(db, actor.organizationId, domain.id, "wizard", await verificationOptions());
      return buildDomainView(db, await getDomain(db, actor.organizationId, domain.id));
    }
    return buildDomainView(db, domain);
  },
);

export const deleteDomainAction = defineAction(
  { name: "deleteDomain", ability: "manage", input: deleteDomainSchema },
  async (input, { actor, db }) => {
    const deleted = await db.$transaction(async (tx) => {
      const removed = await deleteDomain(tx, actor.organizationId, input);
      await recordAudit(tx, actor, {
        action: "domain.delete",
        entityType: "domain",
        entityId: removed.id,
        entityLabel: removed.displayName,
        before: { name: removed.name, kind: removed.kind, scenario: removed.scenario, status: removed.status, routes: removed.routeCount },
      });
      return removed;
    });
    revalidatePath("/domains");
    revalidatePath("/routes");
    return { id: deleted.id, name: deleted.displayName, routesDeleted: deleted.routeCount };
  },
);

export const restartVerificationAction = defineAction(
  { name: "restartVerification", ability: "manage", input: domainIdSchema },
  async (input, { actor, db }) => {
    await db.$transaction(async (tx) => {
      const before = await getDomain(tx, actor.organizationId, input.domainId);
      await restartVerification(tx, actor.organizationId, input.domainId);
      await recordAudit(tx, actor, {
        action: "domain.restart_verification",
        entityType: "domain",
        entityId: before.id,
        entityLabel: before.displayName,
        before: { status: before.status },
        after: { status: "pending" },
      });
    });
    await scheduleDomainChecks(input.domainId, { db });
    revalidatePath("/domains");
    return buildDomainView(db, await getDomain(db, actor.organizationId, input.domainId));
  },
);

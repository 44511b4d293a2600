import "server-only";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";

import { auditDomainChange } from "../audit";
import type { DomainFollowUps } from "../follow-ups";
import { getDomain } from "../queries";
import { restartVerification } from "../registration";

/**
 * "Restart verification" of a domain whose verification gave up: pending again from now, audited
 * in the same transaction, and its background checks scheduled once committed.
 */
export async function restartDomainVerification(db: Database, actor: AuditActor, domainId: string, followUps: DomainFollowUps): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await getDomain(tx, actor.organizationId, domainId);
    await restartVerification(tx, actor.organizationId, domainId);
    await auditDomainChange(tx, actor, before, { action: "domain.restart_verification", before: { status: before.status }, after: { status: "pending" } });
  });
  await followUps.scheduleChecks(domainId);
}

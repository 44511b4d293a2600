import "server-only";

import type { z } from "zod";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

import { auditDomainChange } from "../audit";
import type { revokeShareLinkSchema } from "../schemas";

/**
 * Revokes a records share link of the organisation: from now on it shows nothing. Revoking one
 * already revoked changes nothing (and records nothing). One transaction with its audit entry.
 */
export async function revokeShareLink(
  db: Database,
  actor: AuditActor,
  input: z.output<typeof revokeShareLinkSchema>,
  now = new Date(),
): Promise<{ id: string; domainId: string }> {
  return db.$transaction(async (tx) => {
    const link = await tx.recordShareLink.findFirst({
      where: { id: input.linkId, organizationId: actor.organizationId },
      select: { id: true, revokedAt: true, expiresAt: true, domain: { select: { id: true, displayName: true } } },
    });
    if (!link) throw new NotFoundError("This share link does not exist, or its domain was deleted.");
    if (link.revokedAt) return { id: link.id, domainId: link.domain.id };
    await tx.recordShareLink.update({ where: { id: link.id }, data: { revokedAt: now, revokedByEmail: actor.email } });
    await auditDomainChange(tx, actor, link.domain, {
      action: "domain.share_link_revoke",
      before: { link: link.id, expiresAt: link.expiresAt.toISOString() },
    });
    return { id: link.id, domainId: link.domain.id };
  });
}

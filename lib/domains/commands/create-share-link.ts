import "server-only";

import type { z } from "zod";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { DomainError } from "@/lib/errors";

import { auditDomainChange } from "../audit";
import { getDomain } from "../queries";
import type { createShareLinkSchema } from "../schemas";
import { generateShareToken } from "../share-tokens";

const DAY = 86_400_000;

/**
 * A read-only link to a custom domain's records and their live status, for whoever runs its DNS:
 * no sign-in, expires after the chosen days, revocable. Returns the token once; only its HMAC is
 * stored. One transaction with its audit entry.
 */
export async function createShareLink(
  db: Database,
  actor: AuditActor,
  input: z.output<typeof createShareLinkSchema>,
  settings: { secretsKey: string | undefined },
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: string }> {
  if (!settings.secretsKey) throw new Error("SECRETS_KEY is not set: share links cannot be signed.");
  const { token, hash } = generateShareToken(settings.secretsKey);
  const expiresAt = new Date(now.getTime() + input.validDays * DAY);
  const link = await db.$transaction(async (tx) => {
    const domain = await getDomain(tx, actor.organizationId, input.domainId);
    if (domain.kind !== "custom") throw new DomainError("A platform domain has no DNS records to share.", "validation");
    const created = await tx.recordShareLink.create({
      data: { organizationId: actor.organizationId, domainId: domain.id, tokenHash: hash, createdByEmail: actor.email, createdAt: now, expiresAt },
      select: { id: true },
    });
    await auditDomainChange(tx, actor, domain, {
      action: "domain.share_link_create",
      after: { link: created.id, expiresAt: expiresAt.toISOString() },
    });
    return created;
  });
  return { id: link.id, token, expiresAt: expiresAt.toISOString() };
}

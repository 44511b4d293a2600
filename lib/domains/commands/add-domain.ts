import "server-only";

import type { z } from "zod";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database, Prisma } from "@/lib/db/client";

import { auditDomainChange } from "../audit";
import type { DomainFollowUps } from "../follow-ups";
import { registerDomain } from "../registration";
import type { registerDomainSchema } from "../schemas";
import type { DomainDependencies } from "../settings";

type Registered = Awaited<ReturnType<typeof registerDomain>>;

export interface AddDomainOptions {
  followUps: DomainFollowUps;
  /** More writes that must commit with the domain (the set-up wizard moves on to its next step). */
  alsoInTransaction?: (tx: Prisma.TransactionClient, domain: Registered) => Promise<void>;
}

/**
 * "Add a domain": registers it with its expected records (and its first DKIM key), records the
 * audit entry in the same transaction, and once committed starts its background checks (the job
 * must find the domain when it runs).
 */
export async function addDomain(
  db: Database,
  actor: AuditActor,
  input: z.output<typeof registerDomainSchema>,
  deps: DomainDependencies,
  options: AddDomainOptions,
): Promise<{ id: string }> {
  const domain = await db.$transaction(async (tx) => {
    const created = await registerDomain(tx, actor.organizationId, input, deps);
    await auditDomainChange(tx, actor, created, {
      action: "domain.register",
      after: { name: created.name, kind: created.kind, scenario: created.scenario, status: created.status },
    });
    await options.alsoInTransaction?.(tx, created);
    return created;
  });
  await options.followUps.scheduleChecks(domain.id);
  return { id: domain.id };
}

import "server-only";

import type { z } from "zod";

import type { AuditActor } from "@/lib/audit/audit";
import type { Actor } from "@/lib/auth/sessions";
import type { Database } from "@/lib/db/client";
import { addDomain } from "@/lib/domains/commands/add-domain";
import type { DomainFollowUps } from "@/lib/domains/follow-ups";
import type { registerDomainSchema } from "@/lib/domains/schemas";
import type { DomainDependencies } from "@/lib/domains/settings";

import { saveSetupRun } from "./save-wizard-progress";

/**
 * The wizard's Domain step: adds the domain (lib/domains/commands/add-domain.ts) and, in the same
 * transaction, gives it to the set-up run (a new run when none is named) and moves the run on to
 * the domain's next step: its DNS records, or for a platform domain (nothing to publish) its addresses.
 */
export function addWizardDomain(
  db: Database,
  actor: AuditActor & Pick<Actor, "userId">,
  input: z.output<typeof registerDomainSchema> & { setupRunId?: string },
  deps: DomainDependencies,
  followUps: DomainFollowUps,
): Promise<{ id: string }> {
  return addDomain(db, actor, input, deps, {
    followUps,
    alsoInTransaction: async (tx, created) => {
      await saveSetupRun(tx, actor, input.setupRunId ?? null, {
        domainId: created.id,
        scenario: created.scenario,
        step: created.kind === "custom" ? "dns" : "addresses",
      });
    },
  });
}

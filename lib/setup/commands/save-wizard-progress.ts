import "server-only";

import type { z } from "zod";

import type { Actor } from "@/lib/auth/sessions";
import type { Database, Prisma } from "@/lib/db/client";
import { getDomain } from "@/lib/domains/queries";

import type { WizardState } from "../queries";
import type { saveWizardSchema } from "../schemas";

type WizardActor = Pick<Actor, "userId" | "organizationId">;

/** Writes the administrator's place in the wizard; inside a caller's transaction when given one. */
export async function saveWizardState(db: Database | Prisma.TransactionClient, actor: WizardActor, change: Partial<WizardState>): Promise<void> {
  const fields = {
    ...(change.step ? { step: change.step } : {}),
    ...(change.scenario !== undefined ? { scenario: change.scenario } : {}),
    ...(change.domainId !== undefined ? { domainId: change.domainId } : {}),
    ...(change.data ? { data: change.data as Prisma.InputJsonValue } : {}),
  };
  await db.wizardSession.upsert({
    where: { userId: actor.userId },
    create: { userId: actor.userId, organizationId: actor.organizationId, step: change.step ?? "scenario", ...fields },
    update: { ...fields, version: { increment: 1 } },
  });
}

/** The wizard moved on (or back) a step: saves where the administrator is and what they answered. */
export async function saveWizardProgress(db: Database, actor: WizardActor, input: z.output<typeof saveWizardSchema>): Promise<{ step: WizardState["step"] }> {
  // A domain id from the browser is only accepted if it is one of this organisation's.
  if (input.domainId) await getDomain(db, actor.organizationId, input.domainId);
  await saveWizardState(db, actor, {
    step: input.step,
    ...(input.scenario !== undefined ? { scenario: input.scenario } : {}),
    ...(input.domainId !== undefined ? { domainId: input.domainId } : {}),
    ...(input.data ? { data: input.data } : {}),
  });
  return { step: input.step };
}

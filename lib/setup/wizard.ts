import "server-only";


import type { Actor } from "@/lib/auth/sessions";
import type { Database, Prisma } from "@/lib/db/client";

import type { Scenario } from "@/lib/domains/domain-schemas";

import { stepsFor, wizardDataSchema, type WizardData, type WizardStep } from "./wizard-schemas";

/**
 * Each administrator's place in the set-up wizard, kept in the database so that leaving and coming
 * back (another day, another browser) continues where they were.
 */
export interface WizardState {
  step: WizardStep;
  scenario: Scenario | null;
  domainId: string | null;
  data: WizardData;
}

const FRESH: WizardState = { step: "scenario", scenario: null, domainId: null, data: wizardDataSchema.parse({}) };

export async function getWizardState(db: Database, actor: Pick<Actor, "userId" | "organizationId">): Promise<WizardState> {
  const session = await db.wizardSession.findFirst({ where: { userId: actor.userId, organizationId: actor.organizationId } });
  if (!session) return FRESH;
  const scenario = session.scenario ?? null;
  const steps = stepsFor(scenario);
  const step = (steps as string[]).includes(session.step) ? (session.step as WizardStep) : "scenario";
  const data = wizardDataSchema.safeParse(session.data);
  return { step, scenario, domainId: session.domainId, data: data.success ? data.data : FRESH.data };
}

export async function saveWizardState(
  db: Database | Prisma.TransactionClient,
  actor: Pick<Actor, "userId" | "organizationId">,
  change: Partial<WizardState>,
): Promise<void> {
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

export async function resetWizardState(db: Database, actor: Pick<Actor, "userId">): Promise<void> {
  await db.wizardSession.deleteMany({ where: { userId: actor.userId } });
}

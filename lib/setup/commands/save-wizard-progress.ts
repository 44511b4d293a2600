import "server-only";

import type { z } from "zod";

import type { Actor } from "@/lib/auth/sessions";
import type { Database, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { getDomain } from "@/lib/domains/queries";
import { ConflictError, NotFoundError } from "@/lib/errors";

import type { WizardState } from "../queries";
import type { saveWizardSchema } from "../schemas";

type WizardActor = Pick<Actor, "userId" | "organizationId">;
type Change = Partial<Omit<WizardState, "runId">>;

const RUN_GONE = "This set-up no longer exists or is finished (its domain may have been deleted); start a new one with Add a domain.";

function fieldsOf(change: Change) {
  return {
    ...(change.step ? { step: change.step, finishedAt: change.step === "finish" ? new Date() : null } : {}),
    ...(change.scenario !== undefined ? { scenario: change.scenario } : {}),
    ...(change.domainId !== undefined ? { domainId: change.domainId } : {}),
    ...(change.data ? { data: change.data as Prisma.InputJsonValue } : {}),
  };
}

/**
 * Writes a set-up run's progress (a new run when `runId` is null); inside a caller's transaction
 * when given one. Reaching the Finish step finishes the run: it is no longer listed or reopened.
 */
export async function saveSetupRun(db: Database | Prisma.TransactionClient, actor: WizardActor, runId: string | null, change: Change): Promise<{ runId: string }> {
  const fields = fieldsOf(change);
  try {
    if (!runId) {
      const created = await db.setupRun.create({
        data: { organizationId: actor.organizationId, startedById: actor.userId, step: change.step ?? "scenario", ...fields },
        select: { id: true },
      });
      return { runId: created.id };
    }
    const updated = await db.setupRun.updateMany({
      where: { id: runId, organizationId: actor.organizationId, finishedAt: null },
      data: { ...fields, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new NotFoundError(RUN_GONE);
    return { runId };
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("Another set-up already covers this domain; resume that one from the list of unfinished set-ups.");
    throw error;
  }
}

/** The wizard moved on (or back) a step: saves where the run is and what the admin answered. */
export async function saveWizardProgress(
  db: Database,
  actor: WizardActor,
  input: z.output<typeof saveWizardSchema>,
): Promise<{ runId: string; step: WizardState["step"] }> {
  // A domain id from the browser is only accepted if it is one of this organisation's.
  if (input.domainId) await getDomain(db, actor.organizationId, input.domainId);
  const { runId } = await saveSetupRun(db, actor, input.runId ?? null, {
    step: input.step,
    ...(input.scenario !== undefined ? { scenario: input.scenario } : {}),
    ...(input.domainId !== undefined ? { domainId: input.domainId } : {}),
    ...(input.data ? { data: input.data } : {}),
  });
  return { runId, step: input.step };
}

import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import { getDb, type Database } from "@/lib/db/client";
import { buildDomainView, findOwnDomain } from "@/lib/domains/queries";
import type { DomainView, Scenario } from "@/lib/domains/types";
import { listQueues } from "@/lib/queues/queries";
import { listDomainRoutes } from "@/lib/routes/queries";

import { wizardDataSchema, type WizardData } from "./schemas";
import { stepsFor, type WizardRoute, type WizardStep } from "./types";

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

export interface SetupPageData {
  state: WizardState;
  /** The domain the wizard registered (null before, or once it was deleted). */
  domain: DomainView | null;
  routes: WizardRoute[];
  queues: { id: string; name: string }[];
}

/** The set-up page: where the administrator left the wizard, with its domain, that domain's routes and the queues. */
export async function readSetupPage(actor: Pick<Actor, "userId" | "organizationId">): Promise<SetupPageData> {
  const db = getDb();
  const state = await getWizardState(db, actor);
  const domain = state.domainId ? await findOwnDomain(db, actor.organizationId, state.domainId) : null;
  const [view, queues, routes] = await Promise.all([
    domain ? buildDomainView(db, domain) : null,
    listQueues(db, actor.organizationId),
    domain ? listDomainRoutes(db, actor.organizationId, domain.id, { limit: 200 }) : [],
  ]);
  return {
    state,
    domain: view,
    routes: routes.map((route) => ({ id: route.id, pattern: route.pattern, address: route.address, queueName: route.queueName, status: route.status })),
    queues: queues.map((queue) => ({ id: queue.id, name: queue.name })),
  };
}

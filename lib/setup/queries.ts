import "server-only";

import type { Actor } from "@/lib/auth/sessions";
import { getDb, type DbClient } from "@/lib/db/client";
import { buildDomainView, findOwnDomain } from "@/lib/domains/queries";
import { scenarioKeepsCopies, type DomainView, type Scenario } from "@/lib/domains/types";
import { listQueues } from "@/lib/queues/queries";
import { findOriginalDomains } from "@/lib/routes/original-domain";
import { listDomainRoutes } from "@/lib/routes/queries";

import { wizardDataSchema, type WizardData } from "./schemas";
import { stepsFor, type RedirectContext, type RedirectPair, type SetupRunSummary, type WizardRoute, type WizardStep } from "./types";

/**
 * Set-up runs: one per domain (prisma model SetupRun). A run is kept in the database so that
 * leaving and coming back (another day, another browser, another admin) continues where it was.
 */
export interface WizardState {
  /** Null for a fresh set-up not saved yet. */
  runId: string | null;
  step: WizardStep;
  scenario: Scenario | null;
  domainId: string | null;
  data: WizardData;
}

export const FRESH_WIZARD: WizardState = { runId: null, step: "scenario", scenario: null, domainId: null, data: wizardDataSchema.parse({}) };

function stepOf(step: string, scenario: Scenario | null): WizardStep {
  return (stepsFor(scenario) as string[]).includes(step) ? (step as WizardStep) : "scenario";
}

/** An unfinished run of the organisation, or null (finished, discarded, gone with its domain, or another organisation's). */
export async function findOpenRun(db: DbClient, organizationId: string, runId: string): Promise<WizardState | null> {
  const run = await db.setupRun.findFirst({ where: { id: runId, organizationId, finishedAt: null } });
  if (!run) return null;
  const scenario = run.scenario ?? null;
  const data = wizardDataSchema.safeParse(run.data);
  return { runId: run.id, step: stepOf(run.step, scenario), scenario, domainId: run.domainId, data: data.success ? data.data : FRESH_WIZARD.data };
}

export async function listOpenRuns(db: DbClient, organizationId: string): Promise<SetupRunSummary[]> {
  const runs = await db.setupRun.findMany({
    where: { organizationId, finishedAt: null },
    orderBy: { updatedAt: "desc" },
    take: 50,
    select: { id: true, step: true, scenario: true, updatedAt: true, domain: { select: { displayName: true } }, startedBy: { select: { email: true } } },
  });
  return runs.map((run) => ({
    id: run.id,
    domainName: run.domain?.displayName ?? null,
    scenario: run.scenario ?? null,
    step: stepOf(run.step, run.scenario ?? null),
    updatedAt: run.updatedAt.toISOString(),
    startedBy: run.startedBy?.email ?? null,
  }));
}

/**
 * What the Redirect rules step checks a keep-copies domain's redirects against: the routes that
 * share a local part with the domain's routes (a redirect keeps the local part), and the
 * redirects the organisation's other keep-copies domains make for those local parts.
 */
export async function readRedirectContext(db: DbClient, organizationId: string, domainId: string, patterns: readonly string[]): Promise<RedirectContext> {
  if (patterns.length === 0) return { routedAddresses: [], otherRedirects: [] };
  const routes = await db.route.findMany({
    where: { organizationId, patternKey: { in: patterns.map((pattern) => pattern.toLowerCase()) } },
    select: { pattern: true, domain: { select: { id: true, name: true, displayName: true, scenario: true } } },
    take: 5_000,
  });
  const others = new Map(routes.filter((route) => route.domain.id !== domainId).map((route) => [route.domain.id, route.domain]));
  const originals = await findOriginalDomains(db, organizationId, [...others.values()]);
  const otherRedirects: RedirectPair[] = [];
  for (const route of routes) {
    const original = route.domain.id === domainId ? null : originals.get(route.domain.id);
    if (original) otherRedirects.push({ from: `${route.pattern}@${original}`, to: `${route.pattern}@${route.domain.displayName}` });
  }
  return { routedAddresses: routes.map((route) => `${route.pattern}@${route.domain.displayName}`), otherRedirects };
}

export interface SetupPageData {
  state: WizardState;
  /** The run asked for was finished (or is gone): the page says so and starts afresh. */
  runGone: boolean;
  /** Unfinished runs other than the one shown, to resume or discard. */
  openRuns: SetupRunSummary[];
  /** The run's domain (null before the Domain step). */
  domain: DomainView | null;
  routes: WizardRoute[];
  queues: { id: string; name: string }[];
  redirects: RedirectContext;
}

/**
 * The set-up page: the run asked for if it is still open, else a fresh set-up at the scenario
 * step ("Add a domain"), with the unfinished runs listed.
 */
export async function readSetupPage(actor: Pick<Actor, "organizationId">, runId: string | undefined): Promise<SetupPageData> {
  const db = getDb();
  const run = runId ? await findOpenRun(db, actor.organizationId, runId) : null;
  const state = run ?? FRESH_WIZARD;
  const domain = state.domainId ? await findOwnDomain(db, actor.organizationId, state.domainId) : null;
  const [view, queues, routes, openRuns] = await Promise.all([
    domain ? buildDomainView(db, domain) : null,
    listQueues(db, actor.organizationId),
    domain ? listDomainRoutes(db, actor.organizationId, domain.id, { limit: 200 }) : [],
    listOpenRuns(db, actor.organizationId),
  ]);
  const wizardRoutes = routes.map((route) => ({ id: route.id, pattern: route.pattern, address: route.address, queueName: route.queueName, status: route.status }));
  const redirects =
    domain && state.scenario && scenarioKeepsCopies(state.scenario)
      ? await readRedirectContext(db, actor.organizationId, domain.id, wizardRoutes.map((route) => route.pattern))
      : { routedAddresses: [], otherRedirects: [] };
  return {
    state,
    redirects,
    runGone: Boolean(runId) && !run,
    openRuns: openRuns.filter((open) => open.id !== state.runId),
    domain: view,
    routes: wizardRoutes,
    queues: queues.map((queue) => ({ id: queue.id, name: queue.name })),
  };
}

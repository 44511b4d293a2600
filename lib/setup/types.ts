/**
 * The set-up wizard as the console shows it: client-safe. The server side is lib/setup/queries.ts
 * and lib/setup/commands/.
 */

import { scenarioKeepsCopies, scenarioUsesOwnDomain, type Scenario } from "@/lib/domains/types";

/** The wizard's steps, shared by the pages and the action that saves progress. */
export const WIZARD_STEPS = ["scenario", "domain", "dns", "verify", "addresses", "redirects", "finish"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_LABELS: Record<WizardStep, string> = {
  scenario: "Scenario",
  domain: "Domain",
  dns: "DNS records",
  verify: "Verify",
  addresses: "Addresses",
  redirects: "Redirect rules",
  finish: "Finish",
};

/** Which steps a scenario goes through: DNS only for own domains, redirects only when keeping copies. */
export function stepsFor(scenario: Scenario | null): WizardStep[] {
  if (!scenario) return ["scenario", "domain", "addresses", "finish"];
  return [
    "scenario",
    "domain",
    ...(scenarioUsesOwnDomain(scenario) ? (["dns", "verify"] as const) : []),
    "addresses",
    ...(scenarioKeepsCopies(scenario) ? (["redirects"] as const) : []),
    "finish",
  ];
}

/** A route of the wizard's domain, as the Addresses, Redirect rules and Finish steps list it. */
export interface WizardRoute {
  id: string;
  pattern: string;
  address: string;
  queueName: string;
  status: "pending" | "active" | "error";
}

import { z } from "zod";

import { SCENARIOS, type Scenario } from "@/lib/domains/domain-schemas";
import { plainText } from "@/lib/validation/plain-text";

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
  const ownDomain = scenario === "own_domain" || scenario === "own_domain_with_copies";
  const copies = scenario === "own_domain_with_copies" || scenario === "platform_domain_with_copies";
  return [
    "scenario",
    "domain",
    ...(ownDomain ? (["dns", "verify"] as const) : []),
    "addresses",
    ...(copies ? (["redirects"] as const) : []),
    "finish",
  ];
}

const yesNo = z.boolean().nullable().default(null);

export const wizardDataSchema = z.object({
  answers: z
    .object({ existingAddresses: yesNo, onSubdomain: yesNo, needCopies: yesNo, canEditDns: yesNo })
    .default({ existingAddresses: null, onSubdomain: null, needCopies: null, canEditDns: null }),
  /** Scenarios 2 and 4: the domain customers write to today (e.g. acme.com). */
  originalDomain: plainText().trim().max(253).default(""),
});
export type WizardData = z.output<typeof wizardDataSchema>;

export const saveWizardSchema = z.object({
  step: z.enum(WIZARD_STEPS),
  scenario: z.enum(SCENARIOS).nullable().optional(),
  data: wizardDataSchema.optional(),
});
export type SaveWizardInput = z.input<typeof saveWizardSchema>;

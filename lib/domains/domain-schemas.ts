import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

import { checkHostname, checkPlatformLabel } from "./hostname";

/** Shared by the wizard's forms and the server actions. */
export const SCENARIOS = ["own_domain", "own_domain_with_copies", "platform_domain", "platform_domain_with_copies"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function scenarioUsesOwnDomain(scenario: Scenario): boolean {
  return scenario === "own_domain" || scenario === "own_domain_with_copies";
}

export function scenarioKeepsCopies(scenario: Scenario): boolean {
  return scenario === "own_domain_with_copies" || scenario === "platform_domain_with_copies";
}

export const scenarioSchema = z.enum(SCENARIOS, { message: "Choose one of the four scenarios" });

/** The ASCII (A-label) form of a domain the admin typed, normalised by UTS #46. */
export const customDomainField = plainText().transform((value, ctx) => {
  const checked = checkHostname(value);
  if (checked.ok) return checked.ascii;
  ctx.addIssue({ code: "custom", message: checked.error });
  return z.NEVER;
});

/** The platform label, normalised (`ACME-SEC` and ` acme-sec ` are `acme-sec`). */
export const platformLabelField = plainText().transform((value, ctx) => {
  const checked = checkPlatformLabel(value);
  if (checked.ok) return checked.label;
  ctx.addIssue({ code: "custom", message: checked.error });
  return z.NEVER;
});

export const registerDomainSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("custom"), scenario: z.enum(["own_domain", "own_domain_with_copies"]), domain: customDomainField }),
  z.object({ kind: z.literal("platform"), scenario: z.enum(["platform_domain", "platform_domain_with_copies"]), label: platformLabelField }),
]);
export type RegisterDomainInput = z.input<typeof registerDomainSchema>;

export const domainIdSchema = z.object({ domainId: z.uuid("Unknown domain") });

export const deleteDomainSchema = z.object({
  domainId: z.uuid("Unknown domain"),
  confirmation: plainText().trim().min(1, "Type the domain name to confirm"),
  deleteRoutes: z.boolean().default(false),
});

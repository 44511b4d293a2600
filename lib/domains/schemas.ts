import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

import { checkHostname, checkPlatformLabel } from "./hostname";
import { SCENARIOS } from "./types";

/** Inputs of the domain forms and the set-up wizard, shared by them and the server actions. */

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

/** The wizard's as-you-type checks: anything typed, judged by the query. */
export const domainAvailabilitySchema = z.object({ domain: plainText().max(300) });
export const platformLabelAvailabilitySchema = z.object({ label: plainText().max(100) });

/** "Check now" from the domain page, or the wizard's Verify step. */
export const checkDomainSchema = domainIdSchema.and(z.object({ trigger: z.enum(["manual", "wizard"]).default("manual") }));

/** Registration from the domains pages or from the set-up wizard (which then moves on a step). */
export const addDomainSchema = registerDomainSchema.and(z.object({ fromWizard: z.boolean().default(false), setupRunId: z.uuid().optional() }));

/** How long a records share link works: a day, a week or a month. */
export const SHARE_LINK_DAYS = [1, 7, 30] as const;
export const createShareLinkSchema = z.object({
  domainId: z.uuid("Unknown domain"),
  validDays: z.coerce
    .number()
    .int()
    .refine((days) => (SHARE_LINK_DAYS as readonly number[]).includes(days), "Choose 1, 7 or 30 days"),
});
export const revokeShareLinkSchema = z.object({ linkId: z.uuid("Unknown link") });

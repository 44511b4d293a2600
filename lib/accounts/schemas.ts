import { z } from "zod";

import { KNOWN_LICENCES, PERMISSIONS } from "@/lib/auth/permissions";
import { normaliseEmail } from "@/lib/auth/schemas";
import { plainText } from "@/lib/validation/plain-text";

export const slugSchema = plainText()
  .trim()
  .min(1, "Enter a slug")
  .max(63, "Use at most 63 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "Use lower-case letters, digits and hyphens, not at the start or end");

export const licenceSchema = z.enum(KNOWN_LICENCES, {
  message: `Unknown licence. Known licences: ${KNOWN_LICENCES.join(", ")}`,
});

export const permissionSchema = z.enum(PERMISSIONS, {
  message: `Unknown permission. Known permissions: ${PERMISSIONS.join(", ")}`,
});

export const organizationInputSchema = z.object({
  name: plainText().trim().min(1, "Enter the organisation's name").max(200, "Use at most 200 characters"),
  slug: slugSchema,
  licences: z.array(licenceSchema).default([]),
});
export type OrganizationInput = z.input<typeof organizationInputSchema>;

export const emailSchema = plainText()
  .trim()
  .max(254, "Use at most 254 characters")
  .pipe(z.email("Enter a valid email address"))
  .transform(normaliseEmail);

export const userInputSchema = z.object({
  organizationSlug: slugSchema,
  email: emailSchema,
  name: plainText().trim().min(1, "Enter the user's name").max(200, "Use at most 200 characters"),
  password: z.string().min(12, "Use at least 12 characters").max(200, "Use at most 200 characters"),
  permissions: z.array(permissionSchema).default([]),
});
export type UserInput = z.input<typeof userInputSchema>;

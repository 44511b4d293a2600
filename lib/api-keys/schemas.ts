import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

import { API_KEY_ABILITIES } from "./types";

/** Shared by the Settings page's form and its server actions. Browser-safe. */

export const MAX_API_KEY_EXPIRY_DAYS = 366 * 2;

/** "" (no expiry) or a day, `YYYY-MM-DD`: the key stops working at the start of that day (UTC). */
const expiresOnField = z
  .union([z.literal(""), z.null(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a date, or leave it empty for no expiry")])
  .optional()
  .transform((value, ctx) => {
    if (!value) return null;
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime())) {
      ctx.addIssue({ code: "custom", message: "Choose a date, or leave it empty for no expiry" });
      return z.NEVER;
    }
    const now = Date.now();
    if (day.getTime() <= now) {
      ctx.addIssue({ code: "custom", message: "Choose a day after today" });
      return z.NEVER;
    }
    if (day.getTime() > now + MAX_API_KEY_EXPIRY_DAYS * 86_400_000) {
      ctx.addIssue({ code: "custom", message: "Choose a day within two years" });
      return z.NEVER;
    }
    return day;
  });

export const createApiKeySchema = z.object({
  name: plainText({ error: "Name the key after what uses it, such as terraform-prod" })
    .trim()
    .min(1, "Name the key after what uses it, such as terraform-prod")
    .max(100, "Use at most 100 characters"),
  ability: z.enum(API_KEY_ABILITIES, { error: "Choose what the key may do" }),
  expiresOn: expiresOnField,
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
export type CreateApiKeyValues = z.output<typeof createApiKeySchema>;

export const revokeApiKeySchema = z.object({ id: z.uuid("Unknown key") });

import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

/** Shared by the webhook form and its server actions (no server-only imports: the form uses it too). */
export const webhookUrlSchema = plainText()
  .trim()
  .min(1, { message: "Enter the URL that should receive events." })
  .max(2000, { message: "The URL is longer than 2,000 characters." })
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, such as https://hooks.example.com/email-routing." });
      return;
    }
    // A full URL with another scheme (ftp:, mailto:) is refused for its scheme, not as "not a URL".
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: `The URL must start with https:// (this one starts with ${url.protocol}).` });
  });

export const saveWebhookSchema = z.object({
  url: webhookUrlSchema,
  enabled: z.boolean().default(true),
  /** The version the admin edited; absent when creating. */
  version: z.coerce.number().int().positive().optional(),
  /**
   * What the form opened with at that version: with it, a save over a newer version merges field
   * by field (docs/decisions/022-field-level-merge.md). Only compared, never written.
   */
  base: z.object({ url: plainText(), enabled: z.boolean() }).optional(),
});

export const WEBHOOK_FIELDS = ["url", "enabled"] as const;

export const webhookVersionSchema = z.object({ version: z.coerce.number().int().positive() });

export const markNotificationsReadSchema = z.object({
  /** Newest notification the user was shown (ISO time); everything up to it becomes read. */
  upTo: z.iso.datetime({ offset: true }).optional(),
});

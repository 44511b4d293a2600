import { z } from "zod";

import { MAX_ADDRESS_LENGTH } from "@/lib/routes/address";
import { plainText } from "@/lib/validation/plain-text";

/** "Send a test message": the address, picked from the list or typed. Shared by the form and the action. */
export const sendTestMessageSchema = z.object({
  address: plainText()
    .trim()
    .min(1, { message: "Choose or type the address to send the test message to" })
    .max(MAX_ADDRESS_LENGTH, { message: `Use at most ${MAX_ADDRESS_LENGTH} characters` }),
});
export type SendTestMessageInput = z.input<typeof sendTestMessageSchema>;

export const testMessageIdSchema = z.object({ id: z.uuid({ message: "Unknown test message" }) });

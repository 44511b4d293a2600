import { z } from "zod";

/**
 * Text people type (names, searches, addresses, CSV cells) never needs control characters, and some
 * do harm: PostgreSQL refuses a NUL byte in text with an error, and a line break in a sender name
 * would split a mail header. Every schema of typed text starts from `plainText()`, so such input is
 * a field error next to the field rather than a failure further down. Browser-safe.
 */

// C0 controls (NUL, tab, CR, LF…), DEL and the C1 controls.
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F]/;

export const CONTROL_CHARACTER_MESSAGE = "Remove the control characters (such as NUL bytes or line breaks) from this text";

export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** `z.string()` for typed text: any control character is a field error. */
export function plainText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine((value) => !hasControlCharacter(value), { message: CONTROL_CHARACTER_MESSAGE, abort: true });
}

import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";
import { UUID_SOURCE } from "@/lib/validation/uuid";

import { MESSAGE_STATUSES, RECENT_MESSAGES_DAYS } from "./types";

/**
 * The Messages log's search parameters (the page's query string), shared by the filter form and the
 * server. Anything malformed is dropped rather than refused: a stale or hand-edited link still shows
 * the log. Browser-safe.
 */

export const MESSAGE_PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_MESSAGE_PAGE_SIZE = 50;

/**
 * A position in the log, newest first: the time, then the message (a message's recipients stay
 * together), then the row. Written `<epoch ms>_<uuid>_<uuid>` so a URL stays readable.
 */
export interface MessageCursor {
  at: Date;
  group: string;
  id: string;
}

const CURSOR = new RegExp(`^(\\d{1,15})_(${UUID_SOURCE})_(${UUID_SOURCE})$`);

export function encodeCursor(cursor: MessageCursor): string {
  return `${cursor.at.getTime()}_${cursor.group}_${cursor.id}`;
}

export function decodeCursor(text: string): MessageCursor | null {
  const match = CURSOR.exec(text.toLowerCase());
  if (!match) return null;
  const at = new Date(Number(match[1]));
  return Number.isNaN(at.getTime()) ? null : { at, group: match[2]!, id: match[3]! };
}

const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * A search may be a whole subject (stored up to RFC 5322's 998 characters); a longer one, from a
 * hand-made link, is cut to that length rather than dropped, so it still narrows the log.
 */
export const MESSAGE_SEARCH_MAX_LENGTH = 998;

const text = plainText()
  .trim()
  .optional()
  .catch(undefined)
  .transform((value) => value?.slice(0, MESSAGE_SEARCH_MAX_LENGTH) || undefined);

const id = optional(z.uuid().transform((value) => value.toLowerCase()));

const day = optional(
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`))),
);

const cursor = optional(
  z.string().transform((value, ctx) => {
    const decoded = decodeCursor(value);
    if (decoded) return decoded;
    ctx.addIssue({ code: "custom", message: "Not a position in the log" });
    return z.NEVER;
  }),
);

export const messagesQuerySchema = z.object({
  /** Address, sender, subject or Message-ID (any part of them); a whole message id (uuid) finds that message. */
  q: text,
  status: optional(z.enum(MESSAGE_STATUSES)),
  route: id,
  queue: id,
  domain: id,
  /** Days, UTC, both included. */
  from: day,
  to: day,
  /** Rows older than this position (the next page), or newer (the previous page). */
  after: cursor,
  before: cursor,
  size: z.coerce
    .number()
    .refine((value) => (MESSAGE_PAGE_SIZES as readonly number[]).includes(value))
    .default(DEFAULT_MESSAGE_PAGE_SIZE)
    .catch(DEFAULT_MESSAGE_PAGE_SIZE),
});
export type MessagesQuery = z.output<typeof messagesQuerySchema>;

/** The filters only (what the filter form edits, and what a cursor link keeps). */
export const MESSAGE_FILTER_KEYS = ["q", "status", "route", "queue", "domain", "from", "to"] as const;
export type MessageFilterKey = (typeof MESSAGE_FILTER_KEYS)[number];

/** The page's URL for these filters (and optionally a cursor); default values are left out. */
export function messagesHref(
  filters: Partial<Record<MessageFilterKey, string | undefined>> & { size?: number },
  position?: { after?: string; before?: string },
): string {
  const params = new URLSearchParams();
  for (const key of MESSAGE_FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (filters.size && filters.size !== DEFAULT_MESSAGE_PAGE_SIZE) params.set("size", String(filters.size));
  if (position?.after) params.set("after", position.after);
  else if (position?.before) params.set("before", position.before);
  const search = params.toString();
  return search ? `/messages?${search}` : "/messages";
}

/**
 * Where a route's or queue's "N messages in 7 days" leads: the Messages page filtered to it from
 * the day RECENT_MESSAGES_DAYS ago (UTC; the page filters by whole days), newest first.
 */
export function recentMessagesHref(by: "route" | "queue", id: string, now = new Date()): string {
  const from = new Date(now.getTime() - RECENT_MESSAGES_DAYS * 86_400_000).toISOString().slice(0, 10);
  return messagesHref({ [by]: id, from });
}

/** Parses a page's search params (Next gives string | string[] | undefined; repeated keys are ignored). */
export function parseMessagesQuery(raw: Record<string, string | string[] | undefined>): MessagesQuery {
  return messagesQuerySchema.parse(Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === "string")));
}

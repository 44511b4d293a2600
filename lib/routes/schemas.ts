import { z } from "zod";

import { plainText } from "@/lib/validation/plain-text";

import { checkEmailAddress, checkLocalPart } from "./address";

/**
 * Route input, shared by the route form, the set-up wizard's "Addresses" step, CSV import and the
 * server actions (app/(console)/routes/actions.ts). Browser-safe: no database here.
 *
 * createRouteSchema — what a create takes. Form values are strings, so every field also accepts
 * its string form ("" means "not set"):
 *   required  domainId   uuid of one of the organisation's domains
 *             pattern    local part (before the @): RFC 5321 dot-atom, ≤ 64 characters;
 *                        unique per domain regardless of case (the database enforces it)
 *             queueId    uuid from the organisation's queue catalogue
 *             fromName   shown to customers as the sender of replies (≤ 200 characters)
 *   optional  priority             1–10, default 5 (number or numeric string)
 *             skillIds             uuids from the skill catalogue (array, or one comma-separated string)
 *             languageId           uuid from the language catalogue, or ""/null
 *             fromEmail            replies come from this address; it must be on a verified domain
 *                                  of the organisation (checked on the server)
 *             replyRouteId         replies come from another route's address instead; never
 *                                  together with fromEmail or autoBcc
 *             autoBcc              at most 5 addresses (array, or one string separated by commas,
 *                                  semicolons or new lines)
 *             historyInclusion     "Include" | "Exclude" | "Optional" (default "Optional")
 *             allowMultipleActions boolean, or "true"/"false"/"on"/"off"; default false
 *             spamQueueId          uuid of a queue for mail flagged as spam, or ""/null
 * The output has every optional field filled in (null, [], defaults). Rules that need the database
 * (domain and catalogue ownership, verified fromEmail domain, uniqueness, limit) run on the server.
 */

export const HISTORY_INCLUSIONS = ["Include", "Exclude", "Optional"] as const;
export type HistoryInclusion = (typeof HISTORY_INCLUSIONS)[number];
export const MAX_AUTO_BCC = 5;
export const MAX_SKILLS_PER_ROUTE = 50;
export const DEFAULT_PRIORITY = 5;

const uuidOrEmpty = (message: string) =>
  z
    .union([z.literal(""), z.null(), z.uuid(message)], { error: message })
    .optional()
    .transform((value) => value || null);

export const patternField = plainText({ error: "Enter the part before the @, such as support" }).transform((value, ctx) => {
  const checked = checkLocalPart(value);
  if (checked.ok) return checked.localPart;
  ctx.addIssue({ code: "custom", message: checked.error });
  return z.NEVER;
});

const priorityField = z
  .union([z.number(), z.string()], { error: "Choose a priority from 1 to 10" })
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || (typeof value === "string" && value.trim() === "")) return DEFAULT_PRIORITY;
    const number = typeof value === "number" ? value : Number(value.trim());
    if (!Number.isInteger(number) || number < 1 || number > 10) {
      ctx.addIssue({ code: "custom", message: "Choose a priority from 1 to 10" });
      return z.NEVER;
    }
    return number;
  });

const TRUE_WORDS = new Set(["true", "on", "1", "yes", "y"]);
const FALSE_WORDS = new Set(["false", "off", "0", "no", "n", ""]);

export const booleanField = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return false;
    if (typeof value === "boolean") return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: "custom", message: "Use true or false" });
    return z.NEVER;
  });

function splitList(value: string | string[] | undefined | null, separators: RegExp): string[] {
  const parts = Array.isArray(value) ? value : (value ?? "").split(separators);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

const skillIdsField = z
  .union([z.array(plainText()), plainText(), z.null()])
  .optional()
  .transform((value) => [...new Set(splitList(value, /[,;]/))])
  .pipe(
    z
      .array(z.uuid("Choose skills from your organisation's catalogue"))
      .max(MAX_SKILLS_PER_ROUTE, `Choose at most ${MAX_SKILLS_PER_ROUTE} skills`),
  );

const autoBccField = z
  // The textarea's value separates addresses with new lines; every address is checked, and the
  // address rules refuse control characters.
  .union([z.array(plainText()), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    const addresses: string[] = [];
    const seen = new Set<string>();
    for (const entry of splitList(value, /[,;\s]+/)) {
      const checked = checkEmailAddress(entry);
      if (!checked.ok) {
        ctx.addIssue({ code: "custom", message: checked.error });
        continue;
      }
      const key = checked.address.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({ code: "custom", message: `${checked.address} is listed twice` });
        continue;
      }
      seen.add(key);
      addresses.push(checked.address);
    }
    if (addresses.length > MAX_AUTO_BCC) {
      ctx.addIssue({ code: "custom", message: `Use at most ${MAX_AUTO_BCC} auto-BCC addresses (${addresses.length} given)` });
    }
    return addresses;
  });

const fromEmailField = z
  .union([plainText(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (!value || value.trim() === "") return null;
    const checked = checkEmailAddress(value);
    if (checked.ok) return checked.address;
    ctx.addIssue({ code: "custom", message: checked.error });
    return z.NEVER;
  });

const historyInclusionField = z
  .union([z.enum(HISTORY_INCLUSIONS), z.literal("")], { error: "Choose Include, Exclude or Optional" })
  .optional()
  .transform((value): HistoryInclusion => value || "Optional");

const routeFields = z.object({
  domainId: z.uuid("Choose a domain"),
  pattern: patternField,
  queueId: z.uuid("Choose a queue"),
  priority: priorityField,
  skillIds: skillIdsField,
  languageId: uuidOrEmpty("Choose a language from your organisation's catalogue"),
  fromName: plainText({ error: "Enter the name customers see on replies" })
    .trim()
    .min(1, "Enter the name customers see on replies")
    .max(200, "Use at most 200 characters"),
  fromEmail: fromEmailField,
  replyRouteId: uuidOrEmpty("Choose the route whose address replies come from"),
  autoBcc: autoBccField,
  historyInclusion: historyInclusionField,
  allowMultipleActions: booleanField,
  spamQueueId: uuidOrEmpty("Choose a queue for spam, or none"),
});

/** Rules between fields, the same for a create, an update and an import row. */
export function crossFieldProblems(
  route: Pick<z.output<typeof routeFields>, "replyRouteId" | "fromEmail" | "autoBcc" | "spamQueueId" | "queueId">,
): { field: "replyRouteId" | "autoBcc" | "spamQueueId"; message: string }[] {
  const problems: { field: "replyRouteId" | "autoBcc" | "spamQueueId"; message: string }[] = [];
  if (route.replyRouteId && route.fromEmail) {
    problems.push({ field: "replyRouteId", message: "Replies come either from an address (From email) or from another route's address, not both" });
  }
  if (route.replyRouteId && route.autoBcc.length > 0) {
    problems.push({ field: "autoBcc", message: "Auto-BCC cannot be used when replies come from another route's address" });
  }
  if (route.spamQueueId && route.spamQueueId === route.queueId) {
    problems.push({ field: "spamQueueId", message: "Choose a different queue for spam, or none" });
  }
  return problems;
}

function crossFieldRules(route: z.output<typeof routeFields>, ctx: z.RefinementCtx): void {
  for (const { field, message } of crossFieldProblems(route)) ctx.addIssue({ code: "custom", path: [field], message });
}

const CROSS_FIELDS = new Set<PropertyKey>(["replyRouteId", "fromEmail", "autoBcc", "spamQueueId", "queueId"]);

/**
 * The rules between fields run even when other fields failed (so a form shows every problem at
 * once), as long as the fields they compare each passed.
 */
const crossFieldCheck = {
  when: (payload: { value: unknown; issues: readonly { path?: readonly PropertyKey[] }[] }) =>
    typeof payload.value === "object" &&
    payload.value !== null &&
    !payload.issues.some((issue) => !issue.path?.length || CROSS_FIELDS.has(issue.path[0]!)),
};

export const createRouteSchema = routeFields.superRefine(crossFieldRules, crossFieldCheck);
export type CreateRouteInput = z.input<typeof createRouteSchema>;
export type RouteValues = z.output<typeof createRouteSchema>;

/** A field's problem, by the field it concerns (undefined: the route as a whole). */
export interface RouteFieldIssue {
  field: string | undefined;
  message: string;
}
export type RouteRowParse = { success: true; data: RouteValues } | { success: false; issues: RouteFieldIssue[] };

/** Any pattern the pattern rules accept: it stands in for a row's own while the other fields are parsed. */
const STAND_IN_PATTERN = "x";
/** Distinct combinations of the other fields remembered per parser (a file repeats a few; memory stays bounded). */
const MAX_REMEMBERED_ROWS = 1_000;

/** Values JSON writes distinctly (NaN and null would share a key). */
const keyable = (value: unknown): boolean =>
  value == null || typeof value === "string" || typeof value === "boolean" || Number.isFinite(value) || (Array.isArray(value) && value.every((item) => typeof item === "string"));

const asIssues = (error: z.ZodError): RouteFieldIssue[] => error.issues.map((issue) => ({ field: issue.path[0] as string | undefined, message: issue.message }));

/**
 * createRouteSchema.safeParse for many rows (a CSV import): the same values, or the same issues in
 * the same order. Rows of a file differ in their pattern and repeat everything else (queue,
 * priority, name…), so each distinct combination of the other fields is parsed once. A good pattern
 * changes nothing else (it takes part in no rule between fields, CROSS_FIELDS); a row whose pattern
 * fails is parsed whole, since a failed field can hold back the rules between fields.
 */
export function routeRowParser(): (input: { [Field in keyof CreateRouteInput]: unknown }) => RouteRowParse {
  const remembered = new Map<string, z.ZodSafeParseResult<RouteValues>>();
  const whole = (input: unknown): RouteRowParse => {
    const parsed = createRouteSchema.safeParse(input);
    return parsed.success ? parsed : { success: false, issues: asIssues(parsed.error) };
  };
  return (input) => {
    const pattern = patternField.safeParse(input.pattern);
    if (!pattern.success || CROSS_FIELDS.has("pattern") || !Object.values(input).every(keyable)) return whole(input);
    const key = JSON.stringify({ ...input, pattern: undefined });
    let others = remembered.get(key);
    if (!others) {
      others = createRouteSchema.safeParse({ ...input, pattern: STAND_IN_PATTERN });
      if (remembered.size < MAX_REMEMBERED_ROWS) remembered.set(key, others);
    }
    if (!others.success) return { success: false, issues: asIssues(others.error) };
    // Each row its own object and lists: callers may fill in a row (an import's reply route).
    const data = others.data;
    return { success: true, data: { ...data, pattern: pattern.data, skillIds: [...data.skillIds], autoBcc: [...data.autoBcc] } };
  };
}

export const updateRouteSchema = routeFields
  .extend({
    id: z.uuid("Unknown route"),
    /** The version the admin loaded. */
    version: z
      .union([z.number(), z.string()], { error: "Reload this route and try again" })
      .transform((value) => Number(value))
      .pipe(z.number().int("Reload this route and try again").min(1, "Reload this route and try again")),
    /**
     * The route's values at that version, as the form opened it. With it, a save based on an older
     * version is merged field by field (docs/decisions/022-field-level-merge.md); without it (the
     * Automation API, which has If-Match), it is refused as a whole.
     */
    base: routeFields.optional(),
  })
  .superRefine(crossFieldRules, crossFieldCheck);
export type UpdateRouteInput = z.input<typeof updateRouteSchema>;

export const deleteRouteSchema = z.object({ id: z.uuid("Unknown route") });

/** Form field names, in the order the form shows them (for placing server errors). */
export const ROUTE_FORM_FIELDS = [
  "domainId",
  "pattern",
  "queueId",
  "priority",
  "skillIds",
  "languageId",
  "fromName",
  "fromEmail",
  "replyRouteId",
  "autoBcc",
  "historyInclusion",
  "allowMultipleActions",
  "spamQueueId",
] as const satisfies readonly (keyof RouteValues)[];
export type RouteFormField = (typeof ROUTE_FORM_FIELDS)[number];

export const ROUTE_FIELD_LABELS: Record<RouteFormField, string> = {
  domainId: "Domain",
  pattern: "Address",
  queueId: "Queue",
  priority: "Priority",
  skillIds: "Skills",
  languageId: "Language",
  fromName: "From name",
  fromEmail: "From email",
  replyRouteId: "Reply from route",
  autoBcc: "Auto-BCC",
  historyInclusion: "History inclusion",
  allowMultipleActions: "Allow multiple actions",
  spamQueueId: "Spam queue",
};

// ---------------------------------------------------------------------------------------------
// The routes list (GET /api/routes and the page's first render).

export const ROUTE_STATUSES = ["pending", "active", "error"] as const;
export type RouteStatus = (typeof ROUTE_STATUSES)[number];
export const ROUTE_SORTS = ["address", "queue", "priority", "updated"] as const;
export type RouteSort = (typeof ROUTE_SORTS)[number];
export const PAGE_SIZES = [25, 50, 100] as const;

const optionalFilter = <T extends z.ZodType>(schema: T) =>
  z.union([z.literal(""), schema]).optional().catch(undefined).transform((value) => (value === "" ? undefined : value));

/** Query-string parameters; anything malformed falls back to the default rather than failing. */
export const listRoutesQuerySchema = z.object({
  // A search with control characters is an error the caller sees (PostgreSQL refuses NUL bytes);
  // one that is merely too long is ignored, like every other malformed parameter.
  q: plainText()
    .optional()
    .transform((value) => {
      const text = value?.trim();
      return text && text.length <= 200 ? text : undefined;
    }),
  domain: optionalFilter(z.uuid()),
  queue: optionalFilter(z.uuid()),
  status: optionalFilter(z.enum(ROUTE_STATUSES)),
  sort: z.enum(ROUTE_SORTS).default("address").catch("address"),
  dir: z.enum(["asc", "desc"]).default("asc").catch("asc"),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).catch(1),
  size: z.coerce
    .number()
    .refine((value) => (PAGE_SIZES as readonly number[]).includes(value))
    .default(50)
    .catch(50),
});
export type ListRoutesQuery = z.output<typeof listRoutesQuerySchema>;

export const testAddressSchema = z.object({
  address: plainText().trim().min(1, "Enter an email address to test").max(400, "That is too long to be an email address"),
});

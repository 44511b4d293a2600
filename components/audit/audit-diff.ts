/**
 * Turns an audit entry's before/after values into rows an admin can read: one per field that was
 * added, removed or changed, nested objects flattened to "parent › child". Pure; used by the page.
 */
export type DiffKind = "added" | "removed" | "changed";

export interface DiffRow {
  field: string;
  label: string;
  before: string;
  after: string;
  kind: DiffKind;
}

const FIELD_LABELS: Record<string, string> = {
  autoBcc: "Auto-BCC",
  replyEmailAddress: "Reply email address",
  fromName: "From name",
  fromEmail: "From email",
  historyInclusion: "History inclusion",
  allowMultipleActions: "Allow multiple actions",
  spamQueue: "Spam queue",
};

export function fieldLabel(path: string): string {
  return path
    .split(".")
    .map((part) => FIELD_LABELS[part] ?? humanise(part))
    .join(" › ");
}

function humanise(key: string): string {
  const words = key.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function flatten(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, value);
  } else if (value !== undefined && value !== null) {
    into.set("value", value);
  }
  return into;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.map(formatValue).filter(Boolean).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function diffAuditValues(before: unknown, after: unknown): DiffRow[] {
  const old = flatten(before, "", new Map());
  const now = flatten(after, "", new Map());
  const fields = [...new Set([...old.keys(), ...now.keys()])];
  const rows: DiffRow[] = [];
  for (const field of fields) {
    const was = formatValue(old.get(field));
    const is = formatValue(now.get(field));
    if (was === is) continue;
    rows.push({ field, label: fieldLabel(field), before: was, after: is, kind: was === "" ? "added" : is === "" ? "removed" : "changed" });
  }
  return rows;
}

const VERBS: Record<string, string> = {
  create: "created",
  update: "changed",
  rename: "renamed",
  delete: "deleted",
  import: "imported",
  register: "registered",
  verify: "verified",
  verified: "verified",
  restart: "restarted",
};

const NOUNS: Record<string, string> = { route: "Route", routes: "Routes", queue: "Queue", skill: "Skill", language: "Language", domain: "Domain", webhook: "Webhook" };

/** "route.create" → "Route created"; unknown actions are shown as they are. */
export function describeAction(action: string): string {
  const [entity = "", verb = ""] = action.split(".");
  const noun = NOUNS[entity] ?? humanise(entity);
  const past = VERBS[verb] ?? humanise(verb).toLowerCase();
  return verb ? `${noun} ${past}` : noun;
}

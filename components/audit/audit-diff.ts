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

/** A nested field's keys in words: ["spamQueue", "name"] → "Spam queue › Name". */
export function fieldLabel(path: string | readonly string[]): string {
  return (typeof path === "string" ? path.split(".") : path).map((part) => FIELD_LABELS[part] ?? humanise(part)).join(" › ");
}

function humanise(key: string): string {
  // A name such as a domain or an address is shown as written.
  if (/[.@]/.test(key)) return key;
  const words = key.replace(/_/g, " ").replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Leaf = { path: string[]; value: unknown };

// Paths are kept as lists of keys: a key may contain dots itself (a domain name such as
// help.acme.com is one key, never "Help › Acme › Com").
function flatten(value: unknown, path: string[], into: Map<string, Leaf>): Map<string, Leaf> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) flatten(child, [...path, key], into);
  } else if (path.length > 0) {
    into.set(path.join("."), { path, value });
  } else if (value !== undefined && value !== null) {
    into.set("value", { path: ["value"], value });
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
  const old = flatten(before, [], new Map());
  const now = flatten(after, [], new Map());
  const fields = [...new Set([...old.keys(), ...now.keys()])];
  const rows: DiffRow[] = [];
  for (const field of fields) {
    const was = formatValue(old.get(field)?.value);
    const is = formatValue(now.get(field)?.value);
    if (was === is) continue;
    const path = (old.get(field) ?? now.get(field))!.path;
    rows.push({ field, label: fieldLabel(path), before: was, after: is, kind: was === "" ? "added" : is === "" ? "removed" : "changed" });
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

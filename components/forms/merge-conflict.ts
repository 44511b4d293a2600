import { threeWayMerge } from "@/lib/actions/merge";

import type { ConflictRow, ConflictSide } from "./conflict-notice";

/** A save both admins' changes could not be merged into, while the admin chooses field by field. */
export interface PendingConflict {
  changedBy: string | null;
  rows: ConflictRow[];
  /** Theirs and mine of each conflicting field, in the form's terms. */
  values: Record<string, { theirs: unknown; yours: unknown }>;
  choices: Record<string, ConflictSide>;
}

const shown = (value: unknown) => (typeof value === "boolean" ? (value ? "Yes" : "No") : String(value ?? ""));

/**
 * For a form whose values are the record's fields (a catalogue entry, the webhook): the values the
 * form takes (every field merged, theirs in each conflict) and the conflict to show. The fields
 * the server reported as conflicting win over a local merge that found none (it never should).
 */
export function conflictFrom<T extends object>(args: {
  base: T;
  theirs: T;
  mine: T;
  fields: readonly (keyof T & string)[];
  labels: Record<keyof T & string, string>;
  changedBy: string | null;
  reported?: readonly string[];
}): { next: T; conflict: PendingConflict } {
  const { merged, conflicts } = threeWayMerge(args.base, args.theirs, args.mine, args.fields);
  const fields = conflicts.length > 0 ? conflicts : args.fields.filter((field) => args.reported?.includes(field));
  const next = { ...merged };
  for (const field of fields) next[field] = args.theirs[field];
  return {
    next,
    conflict: {
      changedBy: args.changedBy,
      rows: fields.map((field) => ({ name: field, field: args.labels[field], theirs: shown(args.theirs[field]), yours: shown(args.mine[field]) })),
      values: Object.fromEntries(fields.map((field) => [field, { theirs: args.theirs[field], yours: args.mine[field] }])),
      choices: Object.fromEntries(fields.map((field) => [field, "theirs" as const])),
    },
  };
}

/** The admin's choice for one field: the conflict as it now stands and the value the field takes. */
export function chooseSide(conflict: PendingConflict, name: string, side: ConflictSide): { conflict: PendingConflict; value: unknown } {
  return { conflict: { ...conflict, choices: { ...conflict.choices, [name]: side } }, value: conflict.values[name]?.[side] };
}

/**
 * The one three-way merge of an edited record, used by every form that saves over a version someone
 * else may have changed since it was opened (routes, catalogue entries, the webhook), on the server
 * when it merges a save and in the browser when it shows what is left to choose. Pure and
 * client-safe. See docs/decisions/022-field-level-merge.md.
 *
 * `base` is the record as the form opened it, `theirs` as it is now, `mine` what the admin saves.
 * A field only one side changed takes that side's value; a field both changed the same way takes
 * it; a field both changed differently is a conflict, and keeps theirs until the admin chooses, so
 * a merge never silently reverts the other admin's change.
 */

export interface MergeOutcome<T> {
  /** Every field resolved; conflicting fields hold theirs. */
  merged: T;
  /** Fields both sides changed to different values, in the order of `fields`. */
  conflicts: (keyof T & string)[];
  /** Fields the other side changed that were taken without asking (theirs kept, mine untouched). */
  taken: (keyof T & string)[];
}

/** Equality for form values: primitives by value, arrays element by element (callers sort sets first). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  // "" and null both mean "not set" in the forms.
  const blank = (value: unknown) => value === null || value === undefined || value === "";
  if (blank(a) && blank(b)) return true;
  return a === b;
}

export function threeWayMerge<T extends object>(
  base: T,
  theirs: T,
  mine: T,
  fields: readonly (keyof T & string)[],
  same: (a: unknown, b: unknown) => boolean = sameValue,
): MergeOutcome<T> {
  const merged = { ...mine };
  const conflicts: (keyof T & string)[] = [];
  const taken: (keyof T & string)[] = [];
  for (const field of fields) {
    const mineChanged = !same(mine[field], base[field]);
    const theirsChanged = !same(theirs[field], base[field]);
    if (!theirsChanged) continue; // mine stands, changed or not
    if (!mineChanged) {
      merged[field] = theirs[field];
      taken.push(field);
    } else if (!same(mine[field], theirs[field])) {
      merged[field] = theirs[field];
      conflicts.push(field);
    }
  }
  return { merged, conflicts, taken };
}

/** The fields whose value differs between two versions, in the order of `fields`. */
export function changedFields<T extends object>(a: T, b: T, fields: readonly (keyof T & string)[], same = sameValue): (keyof T & string)[] {
  return fields.filter((field) => !same(a[field], b[field]));
}

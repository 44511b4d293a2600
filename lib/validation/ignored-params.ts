/**
 * Query-string filters a list page was given but cannot apply (an unknown status, an id that is not
 * one, a date that is not a day). The pages drop them rather than fail, so a stale or hand-edited
 * link still opens; this names them back to the reader, who would otherwise take the unfiltered
 * list for the filtered one (components/data-table/filters.tsx › IgnoredFiltersNote). Browser-safe.
 */
export function ignoredParams(
  raw: Record<string, string | string[] | undefined>,
  parsed: Partial<Record<string, unknown>>,
  keys: readonly string[],
): { key: string; value: string }[] {
  return keys.flatMap((key) => {
    const given = raw[key];
    const value = Array.isArray(given) ? given.join(", ") : given;
    // A repeated parameter is never applied (the pages read one value only).
    if (!value?.trim() || (!Array.isArray(given) && parsed[key] !== undefined)) return [];
    return [{ key, value }];
  });
}

/**
 * A route edited while someone else saved it: the route's values as the merge compares them, and
 * the merge itself (lib/actions/merge.ts). Client-safe: the server merges a save with it, the form
 * uses it to keep what the server took from the other admin.
 */
import { threeWayMerge, type MergeOutcome } from "@/lib/actions/merge";

import { ROUTE_FORM_FIELDS, type RouteValues } from "./schemas";
import type { RouteRow } from "./types";

/** A stored route as the values a form or an action saves (skills in a stable order). */
export function routeValuesOf(row: RouteRow): RouteValues {
  return normaliseRouteValues({
    domainId: row.domainId,
    pattern: row.pattern,
    queueId: row.queueId,
    priority: row.priority,
    skillIds: row.skillIds,
    languageId: row.languageId,
    fromName: row.fromName,
    fromEmail: row.fromEmail,
    replyRouteId: row.replyRouteId,
    autoBcc: row.autoBcc,
    historyInclusion: row.historyInclusion,
    allowMultipleActions: row.allowMultipleActions,
    spamQueueId: row.spamQueueId,
  });
}

/** Skills are a set: their order says nothing, so it never makes a change. */
export function normaliseRouteValues(values: RouteValues): RouteValues {
  return { ...values, skillIds: [...values.skillIds].sort() };
}

export function mergeRouteEdit(base: RouteValues, theirs: RouteValues, mine: RouteValues): MergeOutcome<RouteValues> {
  return threeWayMerge(normaliseRouteValues(base), normaliseRouteValues(theirs), normaliseRouteValues(mine), ROUTE_FORM_FIELDS);
}

import "server-only";

import { queryRaw, type DbClient, type Prisma, type Queryable } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { Prisma as Sql } from "@/lib/db/generated/client";
import { ConflictError, LimitError, NotFoundError, StaleVersionError, ValidationError, type FieldErrors } from "@/lib/errors";

import { addressKey, checkEmailAddress } from "./address";
import type { RouteFormField, RouteValues } from "./schemas";
import { isDomainVerified, type DomainStatusName } from "./status";
import { loadRouteRows } from "./queries";
import type { RouteLimits, RouteRow, StaleRoute } from "./types";

/**
 * The rules a route write must pass that need the database, shared by the commands (create,
 * update, import): the per-domain lock and limit, and the one check that everything a route refers
 * to is the organisation's own.
 */

// ---------------------------------------------------------------------------------------------
// The per-domain limit.

/**
 * Routes of one domain are created one at a time, so the per-domain limit holds under concurrent
 * creates (two admins, or an import beside a create). Transaction-scoped: released on commit. A
 * single create takes the same lock inside its write statement (lock_and_count_domain_routes,
 * migration 20261201020000, whose lock class is this number), then reads the domain's count, which
 * the database keeps (domain_route_counts, migration 20261201150000).
 */
const ROUTE_LOCK_CLASS = 0x524f5554; // "ROUT" = 1380930900

export async function lockDomainRoutes(db: Queryable, domainIds: readonly string[]): Promise<void> {
  const ids = [...new Set(domainIds)].sort();
  if (ids.length === 0) return;
  // One statement; always in the same order, so two transactions locking several domains cannot deadlock.
  await db.query("SELECT pg_advisory_xact_lock($1::int, hashtext(t.id)) FROM unnest($2::text[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n", [
    ROUTE_LOCK_CLASS,
    ids,
  ]);
}

export function routeLimitMessage(domainName: string, max: number): string {
  return `${domainName} already has ${max.toLocaleString("en")} routes, the most a domain may have. Delete routes you no longer use, or ask your operator to raise MAX_ROUTES_PER_DOMAIN.`;
}

/**
 * Takes the domain's route lock and refuses when the domain has no room left, inside the caller's
 * transaction: the same database function (lock_and_count_domain_routes, migration
 * 20261201020000) as a single create's statement, so the lock and the capped count have one home.
 */
export async function lockRoomForRoute(
  tx: Prisma.TransactionClient,
  organizationId: string,
  domain: { id: string; displayName: string },
  limits: RouteLimits,
): Promise<void> {
  const max = limits.maxRoutesPerDomain;
  const [room] = await tx.$queryRaw<{ counted: number }[]>`
    SELECT lock_and_count_domain_routes(${organizationId}::uuid, ${domain.id}::uuid, ${max}::int) AS counted`;
  if ((room?.counted ?? 0) >= max) throw new LimitError(routeLimitMessage(domain.displayName, max));
}

// ---------------------------------------------------------------------------------------------
// References.

export interface KnownDomain {
  id: string;
  name: string;
  displayName: string;
  status: DomainStatusName;
}

/** What a route may refer to, as far as one check needs to know: the organisation's own, nothing else. */
export interface KnownReferences {
  queueIds: ReadonlySet<string>;
  skillIds: ReadonlySet<string>;
  languageIds: ReadonlySet<string>;
  /** Reply routes. */
  routeIds: ReadonlySet<string>;
  /** Domains by their ASCII name (for fromEmail). */
  domainsByName: ReadonlyMap<string, KnownDomain>;
}

/**
 * The one reference check, for a create, an update and every row of an import: each id a route
 * names must be one of the organisation's (the caller loaded `known` scoped by the organisation),
 * replies come from a verified domain, and never from the route itself. Every problem at once.
 */
export function referenceErrors(values: RouteValues, known: KnownReferences, selfId?: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!known.queueIds.has(values.queueId)) errors.queueId = ["This queue does not exist any more; choose another"];
  if (values.spamQueueId && !known.queueIds.has(values.spamQueueId)) errors.spamQueueId = ["This queue does not exist any more; choose another"];
  if (values.skillIds.some((id) => !known.skillIds.has(id))) errors.skillIds = ["A chosen skill does not exist any more; choose again"];
  if (values.languageId && !known.languageIds.has(values.languageId)) errors.languageId = ["This language does not exist any more; choose another"];
  if (values.fromEmail) {
    const checked = checkEmailAddress(values.fromEmail);
    const domain = checked.ok ? known.domainsByName.get(checked.domain) : undefined;
    if (!domain) errors.fromEmail = ["Use an address on one of your organisation's verified domains"];
    else if (!isDomainVerified(domain.status)) errors.fromEmail = [`${domain.displayName} is not verified yet; replies can only come from a verified domain`];
  }
  if (values.replyRouteId) {
    if (values.replyRouteId === selfId) {
      errors.replyRouteId = ["Replies already come from this route's own address; choose another route or leave this empty"];
    } else if (!known.routeIds.has(values.replyRouteId)) {
      errors.replyRouteId = ["This route does not exist any more; choose another"];
    }
  }
  return errors;
}

interface Named {
  id: string;
  name: string;
}

interface ReferenceRecord {
  queues: Named[] | null;
  skills: Named[] | null;
  languages: Named[] | null;
  replies: Named[] | null;
  domains: KnownDomain[] | null;
}

/** The names of what a route refers to (skills in name order), for the row a write returns and audits. */
export interface ReferenceNames {
  queues: ReadonlyMap<string, string>;
  skills: readonly Named[];
  languages: ReadonlyMap<string, string>;
  /** Reply routes' addresses as admins read them. */
  replies: ReadonlyMap<string, string>;
}

/**
 * Loads, in one round trip, which of the ids a route's values name are the organisation's (with
 * their names), and the domains it needs (its own, by id, and its fromEmail domain, by name).
 */
async function loadReferences(tx: Prisma.TransactionClient, organizationId: string, values: RouteValues) {
  const checked = values.fromEmail ? checkEmailAddress(values.fromEmail) : null;
  const fromDomain = checked?.ok ? checked.domain : null;
  const org = Sql.sql`${organizationId}::uuid`;
  const named = (table: string, ids: Prisma.Sql) =>
    Sql.sql`(SELECT json_agg(json_build_object('id', id, 'name', name) ORDER BY name_key) FROM ${Sql.raw(table)} WHERE organization_id = ${org} AND id = ANY(${ids}))`;
  const [record] = await queryRaw<ReferenceRecord>(
    tx,
    Sql.sql`/* prepared */
    SELECT ${named("queues", Sql.sql`${[values.queueId, values.spamQueueId ?? values.queueId]}::uuid[]`)} AS queues,
           ${named("skills", Sql.sql`${values.skillIds}::uuid[]`)} AS skills,
           ${named("languages", Sql.sql`ARRAY[${values.languageId}::uuid]`)} AS languages,
           (SELECT json_agg(json_build_object('id', rr.id, 'name', rr.pattern || '@' || rd.display_name))
              FROM routes rr JOIN domains rd ON rd.id = rr.domain_id WHERE rr.organization_id = ${org} AND rr.id = ${values.replyRouteId}::uuid) AS replies,
           (SELECT json_agg(json_build_object('id', id, 'name', name, 'displayName', display_name, 'status', status))
              FROM domains WHERE organization_id = ${org} AND (id = ${values.domainId}::uuid OR name = ${fromDomain})) AS domains`,
  );
  const ids = (rows: Named[] | null | undefined) => new Set((rows ?? []).map((row) => row.id));
  const byId = (rows: Named[] | null | undefined) => new Map((rows ?? []).map((row) => [row.id, row.name]));
  const domains = record?.domains ?? [];
  const known: KnownReferences = {
    queueIds: ids(record?.queues),
    skillIds: ids(record?.skills),
    languageIds: ids(record?.languages),
    routeIds: ids(record?.replies),
    domainsByName: new Map(domains.map((domain) => [domain.name, domain])),
  };
  const names: ReferenceNames = {
    queues: byId(record?.queues),
    skills: record?.skills ?? [],
    languages: byId(record?.languages),
    replies: byId(record?.replies),
  };
  return { known, names };
}

const NEEDS_ATTENTION = "Some fields need attention; nothing was saved.";

/**
 * The route's domain (the organisation's own) and the names of what it refers to, once every
 * reference checked out; a ValidationError naming every field that did not.
 */
export async function checkRouteReferences(
  tx: Prisma.TransactionClient,
  organizationId: string,
  values: RouteValues,
  selfId?: string,
): Promise<{ domain: KnownDomain; names: ReferenceNames }> {
  const { known, names } = await loadReferences(tx, organizationId, values);
  const domain = [...known.domainsByName.values()].find((candidate) => candidate.id === values.domainId);
  // Every problem at once, the domain's among them.
  const errors = referenceErrors(values, known, selfId);
  if (!domain) errors.domainId = ["This domain does not exist any more; choose another"];
  if (!domain || Object.keys(errors).length > 0) throw new ValidationError(NEEDS_ATTENTION, errors);
  return { domain, names };
}

// ---------------------------------------------------------------------------------------------
// What a write stores, and what its failures say.

/** What the audit log keeps of a route: names an admin recognises, not ids. */
export function routeSnapshot(row: RouteRow) {
  return {
    address: row.address,
    queue: row.queueName,
    priority: row.priority,
    skills: row.skillNames,
    language: row.languageName,
    fromName: row.fromName,
    fromEmail: row.fromEmail,
    replyEmailAddress: row.replyAddress,
    autoBcc: row.autoBcc,
    historyInclusion: row.historyInclusion,
    allowMultipleActions: row.allowMultipleActions,
    spamQueue: row.spamQueueName,
  };
}

/** The columns of a route a create or an update writes. */
export function routeData(values: RouteValues, domain: { id: string; name: string }) {
  return {
    domainId: domain.id,
    pattern: values.pattern,
    patternKey: values.pattern.toLowerCase(),
    address: addressKey(values.pattern, domain.name),
    queueId: values.queueId,
    priority: values.priority,
    languageId: values.languageId,
    fromName: values.fromName,
    fromEmail: values.fromEmail,
    replyRouteId: values.replyRouteId,
    autoBcc: values.autoBcc,
    historyInclusion: values.historyInclusion,
    allowMultipleActions: values.allowMultipleActions,
    spamQueueId: values.spamQueueId,
  };
}

/**
 * What a refused create or update says: the unique index on (domain_id, pattern_key) decides
 * between two admins saving the same address (a field error on the address), and a foreign key
 * refuses a queue, skill, language or reply route deleted between our check and the write.
 */
export function routeWriteError(error: unknown, pattern: string, domainName: string): unknown {
  if (isUniqueViolation(error)) {
    const message = `${pattern}@${domainName} already has a route`;
    return new ConflictError(`${message}. Edit that route, or choose another address.`, { pattern: [message] });
  }
  if (isForeignKeyViolation(error)) {
    return new ValidationError("Something this route refers to (a queue, skill, language or reply route) was deleted just now; nothing was saved. Choose again.");
  }
  return error;
}

export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

/**
 * A refused save or delete of an older version: the route as it is now, who changed it last, and
 * which fields both admins changed (none when the whole save was refused).
 */
export async function staleRouteError(
  tx: DbClient,
  organizationId: string,
  id: string,
  conflicts: RouteFormField[] = [],
): Promise<StaleVersionError | NotFoundError> {
  const [current] = await loadRouteRows(tx, organizationId, [id]);
  if (!current) return new NotFoundError("This route was deleted while you were editing it; nothing was saved.");
  const lastChange = await tx.auditEntry.findFirst({
    where: { organizationId, entityType: "route", entityId: id },
    orderBy: { id: "desc" },
    select: { actorEmail: true },
  });
  const stale: StaleRoute = { route: current, changedBy: lastChange?.actorEmail ?? null, conflicts };
  const message =
    conflicts.length > 0
      ? "Someone else changed the same fields of this route after you opened it; choose which version of each to keep. Nothing was saved."
      : "Someone else changed this route after you opened it; nothing was saved.";
  return new StaleVersionError(message, stale);
}

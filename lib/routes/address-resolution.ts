import "server-only";

import type { DbClient, Queryable } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";

import { checkEmailAddress } from "./address";
import type { DomainStatusName } from "./status";
import type { AddressOutcome } from "./types";

export type { AddressOutcome } from "./types";

/**
 * Where mail to an address goes — the one rule the route tester shows an admin and the inbound
 * SMTP gateway applies to every RCPT TO (docs/decisions/012-inbound-gateway.md). Local parts match
 * case-insensitively; domains are compared in their lower-case ASCII form.
 *
 * By domain status:
 * - verified, grace: receives mail (grace: a record went missing and is being re-checked);
 * - degraded: still receives mail — ownership was proven and what reaches us is the
 *   organisation's, even though senders may no longer find us through its MX records;
 * - pending: not yet (`domain_not_verified`: the gateway answers 450 so senders retry);
 * - failed: verification gave up (`domain_error`: answered like pending, since restarting
 *   verification can still make it receive mail).
 */

/** A route as a resolution reads it (one query: `lookUp` below). */
export type ResolvedRoute = Prisma.RouteGetPayload<{
  select: {
    id: true;
    pattern: true;
    address: true;
    priority: true;
    queue: { select: { id: true; name: true } };
    spamQueue: { select: { id: true; name: true } };
    language: { select: { id: true; name: true } };
    skills: { select: { skill: { select: { id: true; name: true } } } };
  };
}>;

export type ResolvedDomain = Prisma.DomainGetPayload<{
  select: { id: true; organizationId: true; name: true; displayName: true; status: true; scenario: true; kind: true };
}>;

export interface AddressResolution {
  input: string;
  outcome: AddressOutcome;
  /** The address as checked: local part as given, domain in lower-case ASCII. Null when invalid. */
  address: { localPart: string; domain: string; unicodeDomain: string } | null;
  /** Why the address is invalid (invalid_address only). */
  error: string | null;
  domain: ResolvedDomain | null;
  route: ResolvedRoute | null;
}

/** Domains whose routes receive mail. */
export function domainReceivesMail(status: DomainStatusName): boolean {
  return status === "verified" || status === "grace" || status === "degraded";
}

/**
 * `scope.organizationId` limits the lookup to one organisation's domains (the route tester must
 * not reveal another organisation's); without it the lookup spans all of them, which is safe
 * because a domain or platform label belongs to exactly one organisation.
 */
export async function resolveAddress(db: DbClient | Queryable, input: string, scope: { organizationId?: string } = {}): Promise<AddressResolution> {
  const checked = checkEmailAddress(input);
  if (!checked.ok) return { input, outcome: "invalid_address", address: null, error: checked.error, domain: null, route: null };
  const address = { localPart: checked.localPart, domain: checked.domain, unicodeDomain: checked.unicodeDomain };
  const found = scope.organizationId
    ? await lookUp(db, "byNameInOrganization", [checked.domain, scope.organizationId], checked.localPart)
    : await lookUp(db, "byName", [checked.domain], checked.localPart);
  if (!found) return { input, outcome: "unknown_domain", address, error: null, domain: null, route: null };
  const { domain, route } = found;
  return { input, outcome: outcomeFor(domain.status, route !== null), address, error: null, domain, route };
}

export async function findRouteFor(db: DbClient, domain: { id: string; organizationId: string }, localPart: string): Promise<ResolvedRoute | null> {
  const found = await lookUp(db, "byId", [domain.id, domain.organizationId], localPart);
  return found?.route ?? null;
}

/** A row of the lookup statement; the gateway's whole-domain read (lib/mail/domain-routes.ts) adds its pattern key. */
export interface LookupRow {
  domain_id: string;
  organization_id: string;
  name: string;
  display_name: string;
  status: ResolvedDomain["status"];
  scenario: ResolvedDomain["scenario"];
  kind: ResolvedDomain["kind"];
  route_id: string | null;
  pattern: string;
  address: string;
  priority: number;
  queue_id: string;
  queue_name: string;
  spam_queue_id: string | null;
  spam_queue_name: string | null;
  language_id: string | null;
  language_name: string | null;
  skills: { id: string; name: string }[];
}

/** Which domain the lookup is about: $2 (and $3) of LOOKUP_SQL; $1 is the lower-cased local part. */
const DOMAIN_CONDITIONS = {
  byName: "d.name = $2",
  byNameInOrganization: "d.name = $2 AND d.organization_id = $3::uuid",
  byId: "d.id = $2::uuid AND d.organization_id = $3::uuid",
} as const;

/**
 * The domain and, on it, the route whose pattern is `localPart`, in ONE query: the gateway asks this for every RCPT TO, and the nested
 * Prisma select took seven round trips (domain, route, queue, spam queue, language, route skills,
 * skills), each waiting its turn on a busy gateway (bench/inbound.ts). Skills come in primary-key
 * order, as Prisma returned them.
 */
const lookupSql = (condition: keyof typeof DOMAIN_CONDITIONS) => `
    SELECT d.id AS domain_id, d.organization_id, d.name, d.display_name, d.status::text AS status, d.scenario::text AS scenario, d.kind::text AS kind,
           r.id AS route_id, r.pattern, r.address, r.priority,
           q.id AS queue_id, q.name AS queue_name, sq.id AS spam_queue_id, sq.name AS spam_queue_name, l.id AS language_id, l.name AS language_name,
           (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY rs.skill_id), '[]'::json)
              FROM route_skills rs JOIN skills s ON s.id = rs.skill_id
             WHERE rs.route_id = r.id) AS skills
      FROM domains d
      LEFT JOIN routes r ON r.domain_id = d.id AND r.organization_id = d.organization_id AND r.pattern_key = $1
      LEFT JOIN queues q ON q.id = r.queue_id
      LEFT JOIN queues sq ON sq.id = r.spam_queue_id
      LEFT JOIN languages l ON l.id = r.language_id
     WHERE ${DOMAIN_CONDITIONS[condition]}
     LIMIT 1`;

/**
 * Through Prisma (the console), or straight through a pg pool (the gateway, for every RCPT TO: a
 * named prepared statement, parsed and planned once per connection, without Prisma's per-query work).
 */
async function lookUp(
  db: DbClient | Queryable,
  condition: keyof typeof DOMAIN_CONDITIONS,
  domainValues: string[],
  localPart: string,
): Promise<{ domain: ResolvedDomain; route: ResolvedRoute | null } | null> {
  const values = [localPart.toLowerCase(), ...domainValues];
  const rows =
    "$queryRawUnsafe" in db
      ? await db.$queryRawUnsafe<LookupRow[]>(lookupSql(condition), ...values)
      : (await db.query<LookupRow>({ name: `route_lookup_${condition}`, text: lookupSql(condition), values })).rows;
  const row = rows[0];
  if (!row) return null;
  const domain: ResolvedDomain = {
    id: row.domain_id,
    organizationId: row.organization_id,
    name: row.name,
    displayName: row.display_name,
    status: row.status,
    scenario: row.scenario,
    kind: row.kind,
  };
  if (row.route_id === null) return { domain, route: null };
  return {
    domain,
    route: {
      id: row.route_id,
      pattern: row.pattern,
      address: row.address,
      priority: row.priority,
      queue: { id: row.queue_id, name: row.queue_name },
      spamQueue: row.spam_queue_id === null ? null : { id: row.spam_queue_id, name: row.spam_queue_name ?? "" },
      language: row.language_id === null ? null : { id: row.language_id, name: row.language_name ?? "" },
      skills: row.skills.map((skill) => ({ skill })),
    },
  };
}

export function outcomeFor(status: DomainStatusName, hasRoute: boolean): AddressOutcome {
  if (status === "pending") return "domain_not_verified";
  if (status === "failed") return "domain_error";
  return hasRoute ? "routed" : "no_route";
}

/**
 * The routed addresses on a domain whose local part is most like `localPart` (trigram similarity
 * over the indexed pattern_key), for "did you mean". Whole addresses would all look alike: they
 * share the domain.
 */
export async function closestRoutes(db: DbClient, domain: { id: string; organizationId: string }, localPart: string, limit = 3): Promise<string[]> {
  const key = localPart.toLowerCase();
  const rows = await db.$queryRaw<{ address: string }[]>`
    SELECT address FROM routes
     WHERE organization_id = ${domain.organizationId}::uuid AND domain_id = ${domain.id}::uuid AND pattern_key % ${key}
     ORDER BY similarity(pattern_key, ${key}) DESC, address
     LIMIT ${limit}`;
  return rows.map((row) => row.address);
}

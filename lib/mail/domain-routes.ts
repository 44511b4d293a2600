import "server-only";

import type { Queryable } from "@/lib/db/client";
import type { LookupRow, ResolvedDomain, ResolvedRoute } from "@/lib/routes/address-resolution";

/**
 * Every route of one domain, by pattern key, in one query: the gateway's route cache
 * (lib/mail/route-cache.ts) keeps such a table per domain mail arrives for, so that RCPT TO to an
 * address it has not seen yet is still answered from memory, without a round trip. The columns and
 * joins are those of the one-address lookup in lib/routing/address-resolution.ts (`lookupSql`), and
 * tests/integration/inbound-route-cache.test.ts checks that both give the same resolution.
 * Null when the domain is gone or has more than `limit` routes (then addresses are cached one by one).
 */
const DOMAIN_ROUTES = `
    SELECT d.id AS domain_id, d.organization_id, d.name, d.display_name, d.status::text AS status, d.scenario::text AS scenario, d.kind::text AS kind,
           r.pattern_key, r.id AS route_id, r.pattern, r.address, r.priority,
           q.id AS queue_id, q.name AS queue_name, sq.id AS spam_queue_id, sq.name AS spam_queue_name, l.id AS language_id, l.name AS language_name,
           (SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name) ORDER BY rs.skill_id), '[]'::json)
              FROM route_skills rs JOIN skills s ON s.id = rs.skill_id
             WHERE rs.route_id = r.id) AS skills
      FROM domains d
      LEFT JOIN routes r ON r.domain_id = d.id AND r.organization_id = d.organization_id
      LEFT JOIN queues q ON q.id = r.queue_id
      LEFT JOIN queues sq ON sq.id = r.spam_queue_id
      LEFT JOIN languages l ON l.id = r.language_id
     WHERE d.id = $1::uuid
     LIMIT $2`;

type Row = LookupRow & { pattern_key: string | null };

export interface DomainRoutes {
  /** The domain as read with its routes (a domain changed since is read again with them). */
  domain: ResolvedDomain;
  /** By pattern key (the lower-cased local part). */
  routes: Map<string, ResolvedRoute>;
}

export async function loadDomainRoutes(db: Queryable, domainId: string, limit: number): Promise<DomainRoutes | null> {
  const { rows } = await db.query<Row>({ name: "inbound_domain_routes", text: DOMAIN_ROUTES, values: [domainId, limit + 1] });
  const first = rows[0];
  if (!first || rows.length > limit) return null;
  const domain: ResolvedDomain = {
    id: first.domain_id,
    organizationId: first.organization_id,
    name: first.name,
    displayName: first.display_name,
    status: first.status,
    scenario: first.scenario,
    kind: first.kind,
  };
  // Thousands of routes share a few queues, languages and skill sets: one object each keeps the table small.
  const shared = new Map<string, unknown>();
  const one = <T>(key: string, make: () => T): T => {
    const found = shared.get(key);
    if (found !== undefined) return found as T;
    const made = make();
    shared.set(key, made);
    return made;
  };
  const routes = new Map<string, ResolvedRoute>();
  for (const row of rows) {
    if (row.route_id === null || row.pattern_key === null) continue;
    routes.set(row.pattern_key, {
      id: row.route_id,
      pattern: row.pattern,
      address: row.address,
      priority: row.priority,
      queue: one(`queue ${row.queue_id}`, () => ({ id: row.queue_id, name: row.queue_name })),
      spamQueue: row.spam_queue_id === null ? null : one(`queue ${row.spam_queue_id}`, () => ({ id: row.spam_queue_id!, name: row.spam_queue_name ?? "" })),
      language: row.language_id === null ? null : one(`language ${row.language_id}`, () => ({ id: row.language_id!, name: row.language_name ?? "" })),
      skills: row.skills.length === 0 ? [] : one(`skills ${JSON.stringify(row.skills)}`, () => row.skills.map((skill) => ({ skill }))),
    });
  }
  return { domain, routes };
}

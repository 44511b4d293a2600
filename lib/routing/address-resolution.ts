import "server-only";

import type { DbClient, Prisma } from "@/lib/db/client";

import { checkEmailAddress } from "./address";
import type { DomainStatusName } from "./route-status";

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
export type AddressOutcome = "routed" | "invalid_address" | "unknown_domain" | "domain_not_verified" | "domain_error" | "no_route";

export const resolvedRouteSelect = {
  id: true,
  pattern: true,
  address: true,
  priority: true,
  queue: { select: { id: true, name: true } },
  spamQueue: { select: { id: true, name: true } },
  language: { select: { id: true, name: true } },
  skills: { select: { skill: { select: { id: true, name: true } } } },
} satisfies Prisma.RouteSelect;

export type ResolvedRoute = Prisma.RouteGetPayload<{ select: typeof resolvedRouteSelect }>;

const domainSelect = {
  id: true,
  organizationId: true,
  name: true,
  displayName: true,
  status: true,
  scenario: true,
  kind: true,
} satisfies Prisma.DomainSelect;

export type ResolvedDomain = Prisma.DomainGetPayload<{ select: typeof domainSelect }>;

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
export async function resolveAddress(db: DbClient, input: string, scope: { organizationId?: string } = {}): Promise<AddressResolution> {
  const checked = checkEmailAddress(input);
  if (!checked.ok) return { input, outcome: "invalid_address", address: null, error: checked.error, domain: null, route: null };
  const address = { localPart: checked.localPart, domain: checked.domain, unicodeDomain: checked.unicodeDomain };
  const domain = await db.domain.findFirst({
    where: { name: checked.domain, ...(scope.organizationId ? { organizationId: scope.organizationId } : {}) },
    select: domainSelect,
  });
  if (!domain) return { input, outcome: "unknown_domain", address, error: null, domain: null, route: null };
  const route = await findRouteFor(db, domain, checked.localPart);
  return { input, outcome: outcomeFor(domain.status, route !== null), address, error: null, domain, route };
}

export function findRouteFor(db: DbClient, domain: { id: string; organizationId: string }, localPart: string): Promise<ResolvedRoute | null> {
  return db.route.findFirst({
    where: { organizationId: domain.organizationId, domainId: domain.id, patternKey: localPart.toLowerCase() },
    select: resolvedRouteSelect,
  });
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

import "server-only";

import type { DbClient } from "@/lib/db/client";
import { domainReceivesMail, findRouteFor, resolveAddress } from "@/lib/routes/address-resolution";
import { checkEmailAddress } from "@/lib/routes/address";
import { findOriginalDomains } from "@/lib/routes/original-domain";

import type { Scenario } from "@/lib/domains/types";

import type { TestTarget } from "./types";

/**
 * Where a test message may go: an address routed on one of the organisation's domains that
 * receives mail, or — in the "keep copies" scenarios — the same local part on the original domain
 * the admin's own mail server redirects from. Never anywhere else: the console sends real mail,
 * and must not become a way to send it to arbitrary addresses.
 */
export interface ResolvedTestTarget {
  /** Lower case, domain in ASCII (as routes store addresses). */
  address: string;
  routeAddress: string;
  viaRedirect: boolean;
  domain: { id: string; name: string; scenario: Scenario };
  queueName: string;
}

export type TargetResolution = { ok: true; target: ResolvedTestTarget } | { ok: false; error: string };

const COPIES: Scenario[] = ["own_domain_with_copies", "platform_domain_with_copies"];

export async function resolveTestTarget(db: DbClient, organizationId: string, input: string): Promise<TargetResolution> {
  const checked = checkEmailAddress(input);
  if (!checked.ok) return { ok: false, error: checked.error };
  const resolved = await resolveAddress(db, checked.address, { organizationId });
  const domain = resolved.domain;
  if (domain) {
    if (!domainReceivesMail(domain.status)) {
      return {
        ok: false,
        error: `${domain.displayName} is not verified, so our gateway would not accept the message yet; send a test message once the domain is verified`,
      };
    }
    if (!resolved.route) return { ok: false, error: `${checked.localPart}@${domain.displayName} has no route; create one first, or choose a routed address` };
    return {
      ok: true,
      target: {
        address: resolved.route.address,
        routeAddress: resolved.route.address,
        viaRedirect: false,
        domain: { id: domain.id, name: domain.name, scenario: domain.scenario },
        queueName: resolved.route.queue.name,
      },
    };
  }
  for (const candidate of await copiesDomainsWithOriginal(db, organizationId)) {
    if (candidate.original !== checked.domain) continue;
    const route = await findRouteFor(db, { id: candidate.id, organizationId }, checked.localPart);
    if (!route) continue;
    return {
      ok: true,
      target: {
        address: `${route.pattern}@${checked.domain}`.toLowerCase(),
        routeAddress: route.address,
        viaRedirect: true,
        domain: { id: candidate.id, name: candidate.name, scenario: candidate.scenario },
        queueName: route.queue.name,
      },
    };
  }
  return {
    ok: false,
    error: `Test messages go only to your routed addresses, or to the original addresses your own mail server redirects to them (scenarios 2 and 4); ${checked.address} is neither`,
  };
}

/** "Keep copies" domains that receive mail, with the original domain their redirect comes from. */
async function copiesDomainsWithOriginal(db: DbClient, organizationId: string, domainId?: string) {
  const domains = await db.domain.findMany({
    where: { organizationId, scenario: { in: COPIES }, status: { in: ["verified", "grace", "degraded"] }, ...(domainId ? { id: domainId } : {}) },
    select: { id: true, name: true, scenario: true },
    orderBy: { name: "asc" },
    take: 200,
  });
  const originals = await findOriginalDomains(db, organizationId, domains);
  return domains.flatMap((domain) => {
    const original = originals.get(domain.id);
    return original ? [{ ...domain, original }] : [];
  });
}

/** The picker's choices: for a "keep copies" domain its original addresses first (the real path), then the registered ones. */
export async function listTestTargets(db: DbClient, organizationId: string, options: { domainId?: string; limit?: number } = {}): Promise<TestTarget[]> {
  const limit = options.limit ?? 200;
  const routes = await db.route.findMany({
    where: { organizationId, ...(options.domainId ? { domainId: options.domainId } : {}), domain: { status: { in: ["verified", "grace", "degraded"] } } },
    select: { pattern: true, address: true, domainId: true, queue: { select: { name: true } }, domain: { select: { scenario: true } } },
    orderBy: { address: "asc" },
    take: limit,
  });
  const originals = new Map((await copiesDomainsWithOriginal(db, organizationId, options.domainId)).map((domain) => [domain.id, domain.original]));
  const targets: TestTarget[] = [];
  for (const route of routes) {
    const original = originals.get(route.domainId);
    const base = { routeAddress: route.address, scenario: route.domain.scenario, queueName: route.queue.name };
    if (original) targets.push({ ...base, address: `${route.pattern}@${original}`.toLowerCase(), viaRedirect: true });
  }
  for (const route of routes) {
    targets.push({ address: route.address, routeAddress: route.address, viaRedirect: false, scenario: route.domain.scenario, queueName: route.queue.name });
  }
  return targets.slice(0, limit);
}

import "server-only";

import type { DbClient } from "@/lib/db/client";

import { closestRoutes, findRouteFor, resolveAddress, type ResolvedRoute } from "./address-resolution";
import { findOriginalDomains } from "./original-domain";
import { routeStatusFor, routeStatusReason, type DomainStatusName } from "./status";
import type { Scenario } from "@/lib/domains/types";

import type { AddressTestResult, RedirectAdvice, RedirectTarget, TestedDomain, TestedRoute } from "./types";

/**
 * "Where does mail to this address go?" — the route tester. Reads only; every query is scoped by
 * the organisation. For the two "keep copies" scenarios it also names the redirect rule the
 * admin's own mail system needs (one that keeps the original delivery and adds the registered
 * address), because without it mail never reaches the registered address.
 */

function toTestedRoute(route: ResolvedRoute, domain: { displayName: string; status: DomainStatusName }): TestedRoute {
  return {
    id: route.id,
    address: `${route.pattern}@${domain.displayName}`,
    queueName: route.queue.name,
    spamQueueName: route.spamQueue?.name ?? null,
    priority: route.priority,
    skills: route.skills.map((link) => link.skill.name).sort((a, b) => a.localeCompare(b)),
    language: route.language?.name ?? null,
    status: routeStatusFor(domain.status),
  };
}

function redirectAdvice(localPart: string, domain: { displayName: string; scenario: Scenario }, originalDomain: string | null): RedirectAdvice | null {
  if (domain.scenario !== "own_domain_with_copies" && domain.scenario !== "platform_domain_with_copies") return null;
  const placeholder = domain.scenario === "own_domain_with_copies" ? "<your existing domain>" : "<your own domain>";
  return {
    from: originalDomain ? `${localPart}@${originalDomain}` : null,
    fromPlaceholder: `${localPart}@${placeholder}`,
    to: `${localPart}@${domain.displayName}`,
    scenario: domain.scenario,
  };
}

export async function testAddress(db: DbClient, organizationId: string, input: string): Promise<AddressTestResult> {
  const base = { input, domain: null, route: null, suggestions: [], redirect: null, redirectTargets: [] };
  // The same resolution the inbound gateway applies to RCPT TO, limited to this organisation.
  const resolved = await resolveAddress(db, input, { organizationId });
  if (!resolved.address) return { ...base, address: null, outcome: "invalid_address", summary: resolved.error ?? "This is not an email address" };
  const { localPart, unicodeDomain } = resolved.address;
  const address = `${localPart}@${unicodeDomain}`;

  const domain = resolved.domain;
  if (!domain) {
    const redirectTargets = await findRedirectTargets(db, organizationId, localPart, resolved.address.domain);
    const summary =
      redirectTargets.length > 0
        ? `${unicodeDomain} is not registered here. If it is your own mail system, a rule there must pass this address's mail on to a registered one, keeping your copy (see below).`
        : `${unicodeDomain} is not one of your organisation's domains, so mail to this address never reaches the console.`;
    return { ...base, address, outcome: "unknown_domain", summary, redirectTargets };
  }

  const testedDomain: TestedDomain = { id: domain.id, name: domain.displayName, status: domain.status, scenario: domain.scenario };
  const route = resolved.route ? toTestedRoute(resolved.route, domain) : null;
  const originals = await findOriginalDomains(db, organizationId, [domain]);
  const redirect = redirectAdvice(localPart, domain, originals.get(domain.id) ?? null);
  const common = { ...base, address, domain: testedDomain, route, redirect, outcome: resolved.outcome };

  switch (resolved.outcome) {
    case "domain_not_verified": {
      const then = route ? ` Once it is, this address will reach the ${route.queueName} queue.` : " There is no route for this address yet either.";
      return { ...common, summary: `${domain.displayName} is not verified yet, so mail is not received.${then}` };
    }
    case "domain_error":
      return { ...common, summary: routeStatusReason(domain.status, domain.displayName) };
    case "no_route": {
      const suggestions = await closestRoutes(db, domain, localPart);
      return {
        ...common,
        suggestions,
        summary: `${domain.displayName} receives mail, but no route exists for "${localPart}", so mail to this address is refused.`,
      };
    }
    default: {
      const warning = domain.status === "degraded" ? ` ${routeStatusReason(domain.status, domain.displayName)}` : "";
      return { ...common, summary: `Mail to ${address} is delivered to the ${route?.queueName ?? "route's"} queue.${warning}` };
    }
  }
}

/**
 * An address on a domain we do not know may be the original address of a "keep copies" set-up:
 * the domain the wizard recorded as original, or (without that answer) a registered subdomain's
 * parent, or a platform domain that has a route for this very local part.
 */
async function findRedirectTargets(db: DbClient, organizationId: string, localPart: string, asciiDomain: string): Promise<RedirectTarget[]> {
  const candidates = await db.domain.findMany({
    where: { organizationId, scenario: { in: ["own_domain_with_copies", "platform_domain_with_copies"] } },
    select: { id: true, name: true, displayName: true, status: true, scenario: true },
    orderBy: { name: "asc" },
    take: 200,
  });
  const originals = await findOriginalDomains(db, organizationId, candidates);
  const targets: RedirectTarget[] = [];
  for (const candidate of candidates) {
    const original = originals.get(candidate.id) ?? null;
    if (original !== null && original !== asciiDomain) continue;
    const found = await findRouteFor(db, { id: candidate.id, organizationId }, localPart);
    // Without a recorded original domain, a platform domain is a guess: only one with this route.
    if (original === null && !found) continue;
    targets.push({
      to: `${localPart}@${candidate.displayName}`,
      domain: { id: candidate.id, name: candidate.displayName, status: candidate.status, scenario: candidate.scenario },
      route: found ? toTestedRoute(found, candidate) : null,
    });
    if (targets.length >= 5) break;
  }
  return targets;
}

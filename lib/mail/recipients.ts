import "server-only";

import type { DbClient, Queryable } from "@/lib/db/client";
import { checkHostname, isSameOrSubdomain } from "@/lib/domains/hostname";
import { closestRoutes, resolveAddress, type ResolvedDomain, type ResolvedRoute } from "@/lib/routes/address-resolution";

import { refusals, type Refusal } from "./replies";
import type { RouteCache } from "./route-cache";

/**
 * RCPT TO: the gateway's half of the route tester's rule (lib/routes/address-resolution.ts).
 * Accepted only when the address resolves to a route on a domain that receives mail; otherwise the
 * refusal says whether the address is unknown on one of our domains (550 5.1.1), the domain is not
 * ready yet (450 4.7.1), or the domain is not ours at all (550 5.7.1: we are not a relay).
 */
export type RecipientDecision =
  | { accepted: true; domain: ResolvedDomain; route: ResolvedRoute }
  | {
      accepted: false;
      refusal: Refusal;
      /** Set when the address is on an organisation's domain: the refusal goes to its log. */
      domain: { id: string; organizationId: string } | null;
      recipientDomain: string;
    };

/**
 * `routes` answers the route lookup itself (the gateway passes its pg pool) and `cache` may answer
 * it from memory (lib/mail/route-cache.ts); the rarer refusal details come through Prisma.
 */
export async function decideRecipient(
  db: DbClient,
  address: string,
  platformDomain: string,
  routes: DbClient | Queryable = db,
  cache?: RouteCache | null,
): Promise<RecipientDecision> {
  const resolved = cache ? await cache.resolve(address, () => resolveAddress(routes, address)) : await resolveAddress(routes, address);
  const atSign = address.lastIndexOf("@");
  const rawDomain = atSign >= 0 ? address.slice(atSign + 1) : "";
  const host = checkHostname(rawDomain);
  const recipientDomain = resolved.address?.domain ?? (host.ok ? host.ascii : rawDomain.toLowerCase().slice(0, 253));
  const ours = (domain: string) => isSameOrSubdomain(domain, platformDomain);

  switch (resolved.outcome) {
    case "routed":
      return { accepted: true, domain: resolved.domain!, route: resolved.route! };
    case "invalid_address": {
      if (atSign < 0) {
        // RFC 5321 lets <postmaster> go without a domain: valid syntax, but this host keeps no mailbox of its own.
        if (address.toLowerCase() === "postmaster") {
          const why = "RCPT TO:<postmaster> (no domain) is the receiving host's own postmaster; the gateway delivers only to routes on organisations' domains and has none.";
          return { accepted: false, refusal: refusals.unknownAddress(address, why), domain: null, recipientDomain };
        }
        return { accepted: false, refusal: refusals.invalidAddress(address, `"${address}" has no domain.`), domain: null, recipientDomain };
      }
      // The local part cannot be a route, but the domain may well be ours: then it is an unknown address.
      const domain = host.ok ? await db.domain.findUnique({ where: { name: host.ascii }, select: { id: true, organizationId: true } }) : null;
      if (domain || (host.ok && ours(host.ascii))) {
        return { accepted: false, refusal: refusals.unknownAddress(address, `${address} cannot be a route address: ${resolved.error ?? "invalid"}.`), domain, recipientDomain };
      }
      // Address literals, single-label hosts and the like are nobody's domain here.
      return { accepted: false, refusal: refusals.relayDenied(address, recipientDomain), domain: null, recipientDomain };
    }
    case "unknown_domain":
      if (ours(recipientDomain)) {
        const label = recipientDomain === platformDomain ? null : recipientDomain.slice(0, -(platformDomain.length + 1));
        const why = label === null ? `${platformDomain} itself receives no mail; addresses are under an organisation's label.` : `No organisation uses the platform label "${label}".`;
        return { accepted: false, refusal: refusals.unknownAddress(address, why), domain: null, recipientDomain };
      }
      return { accepted: false, refusal: refusals.relayDenied(address, recipientDomain), domain: null, recipientDomain };
    case "domain_not_verified":
    case "domain_error": {
      const domain = resolved.domain!;
      const status = domain.status === "failed" ? "failed" : "pending";
      return { accepted: false, refusal: refusals.domainNotVerified(address, domain.displayName, status), domain, recipientDomain };
    }
    case "no_route": {
      const domain = resolved.domain!;
      if (resolved.address!.localPart.toLowerCase() === "postmaster") return { accepted: false, refusal: refusals.noPostmasterRoute(address, domain.displayName), domain, recipientDomain };
      const closest = await closestRoutes(db, domain, resolved.address!.localPart);
      return { accepted: false, refusal: refusals.noRoute(address, domain.displayName, closest), domain, recipientDomain };
    }
  }
}

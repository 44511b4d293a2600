import type { RouteStatus } from "./schemas";

/**
 * A route has no status of its own: it receives mail once its domain does. Pure, so the list, the
 * tester and the filters agree. A domain in grace is still verified (a record went missing and is
 * being re-checked), so its routes keep working until it degrades.
 */
export type DomainStatusName = "pending" | "verified" | "grace" | "degraded" | "failed";

export function routeStatusFor(domainStatus: DomainStatusName): RouteStatus {
  switch (domainStatus) {
    case "pending":
      return "pending";
    case "verified":
    case "grace":
      return "active";
    case "degraded":
    case "failed":
      return "error";
  }
}

/** The domain statuses behind each route status (for filtering in SQL). */
export const DOMAIN_STATUSES_FOR: Record<RouteStatus, DomainStatusName[]> = {
  pending: ["pending"],
  active: ["verified", "grace"],
  error: ["degraded", "failed"],
};

export const ROUTE_STATUS_LABELS: Record<RouteStatus, string> = {
  pending: "Pending",
  active: "Active",
  error: "Error",
};

/** Why a route has the status it has, in the admin's words. */
export function routeStatusReason(domainStatus: DomainStatusName, domainName: string): string {
  switch (domainStatus) {
    case "pending":
      return `Waiting for ${domainName} to be verified; mail to this address is not received yet.`;
    case "verified":
      return "Receiving mail.";
    case "grace":
      return `Receiving mail, but a DNS record of ${domainName} went missing and is being re-checked.`;
    case "degraded":
      return `${domainName} lost a required DNS record; mail to this address may not arrive.`;
    case "failed":
      return `Verification of ${domainName} gave up; restart it on the Domains page.`;
  }
}

/** Whether a domain may be used for fromEmail addresses. */
export function isDomainVerified(domainStatus: DomainStatusName): boolean {
  return domainStatus === "verified" || domainStatus === "grace";
}

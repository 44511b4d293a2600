import type { Verdict } from "@/lib/dns";

/**
 * How a domain's status follows its checks (PRODUCT.md "Domains"). Receiving mail needs the
 * ownership and inbound (MX) groups; sending readiness (SPF + DKIM) is shown beside, not here.
 * Only a definite answer moves a domain backwards: DNS errors are not the admin's fault.
 */
export type DomainStatus = "pending" | "verified" | "grace" | "degraded" | "failed";
export type StatusEvent = "verified" | "grace" | "degraded" | "failed" | "recovered";

export interface StatusPolicy {
  /** A pending domain gives up after this long (CHECK_PENDING_TIMEOUT, 72 h). */
  pendingTimeoutHours: number;
  /** A verified domain missing a record degrades only if it is still missing after this long (CHECK_GRACE_PERIOD). */
  graceHours: number;
}

/** The product's rules; the running console takes them from configuration (lib/domains/check-schedule.ts). */
export const DEFAULT_STATUS_POLICY: StatusPolicy = { pendingTimeoutHours: 72, graceHours: 6 };

export interface DomainState {
  status: DomainStatus;
  verificationStartedAt: Date;
  graceStartedAt: Date | null;
  verifiedAt: Date | null;
}

export interface StatusChange extends DomainState {
  /** Set when the status changed in a way worth telling the admin about. */
  event: StatusEvent | null;
}

export function receivingVerdict(summary: { ownership: Verdict; inbound: Verdict }): Verdict {
  if (summary.ownership === "failed" || summary.inbound === "failed") return "failed";
  if (summary.ownership === "verified" && summary.inbound === "verified") return "verified";
  return "temporary_failure";
}

const HOUR = 3_600_000;

export function nextDomainState(
  state: DomainState,
  summary: { ownership: Verdict; inbound: Verdict },
  now: Date,
  policy: StatusPolicy = DEFAULT_STATUS_POLICY,
): StatusChange {
  const verdict = receivingVerdict(summary);
  const unchanged: StatusChange = { ...state, event: null };
  if (verdict === "verified") {
    if (state.status === "verified") return unchanged;
    const recovering = state.status === "grace" || state.status === "degraded";
    return {
      ...state,
      status: "verified",
      graceStartedAt: null,
      verifiedAt: recovering ? state.verifiedAt : now,
      event: recovering ? "recovered" : "verified",
    };
  }
  switch (state.status) {
    case "pending": {
      const expired = now.getTime() - state.verificationStartedAt.getTime() >= policy.pendingTimeoutHours * HOUR;
      return expired ? { ...state, status: "failed", event: "failed" } : unchanged;
    }
    case "verified":
      return verdict === "failed" ? { ...state, status: "grace", graceStartedAt: now, event: "grace" } : unchanged;
    case "grace": {
      const since = state.graceStartedAt ?? now;
      const overdue = now.getTime() - since.getTime() >= policy.graceHours * HOUR;
      return verdict === "failed" && overdue ? { ...state, status: "degraded", event: "degraded" } : unchanged;
    }
    default:
      return unchanged;
  }
}

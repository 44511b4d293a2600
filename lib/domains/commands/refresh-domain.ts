import "server-only";

import type { Database } from "@/lib/db/client";

import { buildDomainView, getDomain, type ViewPolicy } from "../queries";
import type { DomainView } from "../types";
import type { VerifyAndRecordOptions } from "../verification";

import { checkDomain } from "./check-domain";

/** Automatic re-checks closer together than this return the stored result: DNS is not free. */
const MIN_CHECK_INTERVAL_MS = 5_000;

/**
 * The verification panel's polling while a domain is pending: checks again when the caller may
 * (`mayCheck`: a check changes the status and sends notifications and webhooks, which needs the
 * manage permission) and the last check is old enough; otherwise returns what the last one stored.
 */
export async function refreshDomain(
  db: Database,
  organizationId: string,
  domainId: string,
  mayCheck: boolean,
  options: () => Promise<VerifyAndRecordOptions>,
  now = new Date(),
  policy?: ViewPolicy,
): Promise<DomainView> {
  const domain = await getDomain(db, organizationId, domainId);
  const due = !domain.lastCheckedAt || now.getTime() - domain.lastCheckedAt.getTime() >= MIN_CHECK_INTERVAL_MS;
  if (mayCheck && domain.kind === "custom" && domain.status === "pending" && due) {
    return checkDomain(db, organizationId, { domainId, trigger: "wizard" }, options, policy);
  }
  return buildDomainView(db, domain, policy);
}

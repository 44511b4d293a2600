import "server-only";

import type { Database } from "@/lib/db/client";

import { buildDomainView, getDomain, type ViewPolicy } from "../queries";
import type { DomainView } from "../types";
import { verifyAndRecord, type VerifyAndRecordOptions } from "../verification";

/**
 * "Check now": asks DNS again, whatever the last result, and records the outcome (status,
 * notifications, webhooks: lib/domains/verification.ts). Platform domains have nothing to check.
 */
export async function checkDomain(
  db: Database,
  organizationId: string,
  input: { domainId: string; trigger: "manual" | "wizard" },
  options: () => Promise<VerifyAndRecordOptions>,
  policy?: ViewPolicy,
): Promise<DomainView> {
  const domain = await getDomain(db, organizationId, input.domainId);
  if (domain.kind !== "custom") return buildDomainView(db, domain, policy);
  const verifyOptions = await options();
  await verifyAndRecord(db, organizationId, domain.id, input.trigger, verifyOptions);
  return buildDomainView(db, await getDomain(db, organizationId, domain.id), policy ?? verifyOptions.policy ?? verifyOptions.monitoring?.policy);
}

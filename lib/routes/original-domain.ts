import "server-only";

import { checkHostname } from "@/lib/domains/hostname";
import { defaultOriginalDomain } from "@/lib/domains/redirects";

import type { DbClient } from "@/lib/db/client";

/**
 * In the two "keep copies" scenarios customers write to an address on the admin's own domain (the
 * original domain), which their mail system redirects to the registered one. The set-up wizard
 * asks for that domain; without an answer, a registered subdomain's parent is the best guess
 * (help.acme.com → acme.com) and a platform domain has none.
 */
export async function findOriginalDomains(
  db: DbClient,
  organizationId: string,
  domains: readonly { id: string; name: string; scenario: string }[],
): Promise<Map<string, string | null>> {
  const copies = domains.filter((domain) => domain.scenario === "own_domain_with_copies" || domain.scenario === "platform_domain_with_copies");
  const result = new Map<string, string | null>();
  if (copies.length === 0) return result;
  // One set-up run per domain (finished or not) holds the answer.
  const runs = await db.setupRun.findMany({
    where: { organizationId, domainId: { in: copies.map((domain) => domain.id) } },
    select: { domainId: true, data: true },
  });
  for (const domain of copies) {
    const answered = runs.find((run) => run.domainId === domain.id);
    const fromWizard = answered ? originalFrom(answered.data) : null;
    const guess = domain.scenario === "own_domain_with_copies" ? defaultOriginalDomain(domain.name, null) || null : null;
    result.set(domain.id, fromWizard ?? guess);
  }
  return result;
}

function originalFrom(data: unknown): string | null {
  if (typeof data !== "object" || data === null) return null;
  const value = (data as { originalDomain?: unknown }).originalDomain;
  if (typeof value !== "string" || value.trim() === "") return null;
  const checked = checkHostname(value);
  return checked.ok ? checked.ascii : null;
}

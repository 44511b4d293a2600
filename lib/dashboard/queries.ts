import "server-only";

import { getDb } from "@/lib/db/client";
import type { DomainStatus } from "@/lib/domains/status";

/** What the Overview page shows: how much is set up, and the domains that need attention. */
export interface Overview {
  domainCount: number;
  routeCount: number;
  queueCount: number;
  /** The five most recently changed domains that are not verified. */
  attention: { id: string; name: string; displayName: string; status: DomainStatus }[];
}

export async function readOverview(organizationId: string): Promise<Overview> {
  const db = getDb();
  const scope = { where: { organizationId } };
  const [domainCount, routeCount, queueCount, attention] = await Promise.all([
    db.domain.count(scope),
    db.route.count(scope),
    db.queue.count(scope),
    db.domain.findMany({
      where: { organizationId, status: { not: "verified" } },
      orderBy: { statusChangedAt: "desc" },
      take: 5,
      select: { id: true, name: true, displayName: true, status: true },
    }),
  ]);
  return { domainCount, routeCount, queueCount, attention };
}

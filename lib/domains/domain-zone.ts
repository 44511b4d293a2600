import "server-only";

import type { Database } from "@/lib/db/client";

import { guessZone } from "./zone";

/**
 * The zone a domain's records are published in: the apex its latest check found, else a guess
 * (lib/domains/zone.ts). Record names are shown relative to it, as most DNS hosts want them typed.
 */
export async function domainZone(db: Database, domain: { id: string; name: string }): Promise<{ zone: string; confirmed: boolean }> {
  const latest = await db.domainCheck.findFirst({
    where: { domainId: domain.id },
    orderBy: { startedAt: "desc" },
    select: { report: true },
  });
  const reported = (latest?.report as { zone?: string | null } | null)?.zone ?? null;
  return { zone: reported ?? guessZone(domain.name), confirmed: reported !== null };
}

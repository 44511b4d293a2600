import "server-only";

import type { Database } from "@/lib/db/client";

/**
 * The zone a domain's records live in, before the first check has found the real zone apex: the
 * registrable domain is a good guess (two labels, three under common
 * second-level suffixes such as co.uk).
 */
const SECOND_LEVEL = new Set([
  "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "com.au", "net.au", "org.au", "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp",
  "com.br", "net.br", "org.br", "co.za", "com.mx", "com.ar", "com.tr", "co.in", "co.il", "com.sg", "com.hk", "com.cn", "co.kr",
]);

export function guessZone(domain: string): string {
  const labels = domain.split(".");
  const lastTwo = labels.slice(-2).join(".");
  return labels.length > 2 && SECOND_LEVEL.has(lastTwo) ? labels.slice(-3).join(".") : lastTwo;
}

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

import "server-only";

import type { Database } from "@/lib/db/client";
import { relativeName } from "@/lib/dns";
import { domainZone } from "@/lib/domains/zone";
import { NotFoundError } from "@/lib/errors";

import { dkimRecordName, dkimRecordValue } from "./keys";
import { describeSelfTest } from "./self-test";
import type { DkimKeyState, DkimKeyView, DkimPanelView, SelfTestCode, SelfTestOutcome, SelfTestView } from "./types";
import { isReadyToSwitch } from "./verdicts";

/** Retired keys the panel still lists (their records may be removed). */
const RETIRED_SHOWN = 3;

const DAY_MS = 86_400_000;

/** A key's stored self-test as the console shows it (null before its first one). */
export function selfTestViewOf(
  key: { selfTestOutcome: string | null; selfTestCode: string | null; selfTestDetail: string | null; selfTestedAt: Date | null },
  recordName: string,
): SelfTestView | null {
  if (!key.selfTestedAt || !key.selfTestOutcome || !key.selfTestCode) return null;
  return {
    outcome: key.selfTestOutcome as SelfTestOutcome,
    code: key.selfTestCode as SelfTestCode,
    message: describeSelfTest(key.selfTestCode as SelfTestCode, recordName, key.selfTestDetail),
    detail: key.selfTestDetail,
    testedAt: key.selfTestedAt.toISOString(),
  };
}

/** Everything about a key but its private half. */
const keyPublicSelect = {
  id: true,
  selector: true,
  publicKey: true,
  state: true,
  createdAt: true,
  activatedAt: true,
  replacedAt: true,
  retireAfter: true,
  retiredAt: true,
  selfTestOutcome: true,
  selfTestCode: true,
  selfTestDetail: true,
  selfTestedAt: true,
  records: { select: { verdict: true }, take: 1 },
} as const;

/**
 * The domain page's DKIM panel: the signing key, a new key waiting for its record, replaced keys
 * still published, with each key's record and latest self-test. Scoped by the organisation from the
 * session; never reads a private key.
 */
export async function getDkimPanel(
  db: Database,
  organizationId: string,
  domainId: string,
  settings: { retiringPeriodMs: number },
): Promise<DkimPanelView> {
  const domain = await db.domain.findFirst({ where: { id: domainId, organizationId }, select: { id: true, name: true, kind: true } });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  const keys = await db.dkimKey.findMany({
    where: { domainId: domain.id, domain: { organizationId } },
    orderBy: { createdAt: "desc" },
    select: keyPublicSelect,
  });
  const { zone } = await domainZone(db, domain);
  const views = keys.map((key): DkimKeyView => {
    const recordName = dkimRecordName(key.selector, domain.name);
    return {
      id: key.id,
      selector: key.selector,
      state: key.state as DkimKeyState,
      recordName,
      relativeName: relativeName(recordName, zone),
      recordValue: dkimRecordValue(key.publicKey),
      recordVerdict: key.records[0]?.verdict ?? null,
      createdAt: key.createdAt.toISOString(),
      activatedAt: key.activatedAt?.toISOString() ?? null,
      replacedAt: key.replacedAt?.toISOString() ?? null,
      retireAfter: key.retireAfter?.toISOString() ?? null,
      retiredAt: key.retiredAt?.toISOString() ?? null,
      selfTest: selfTestViewOf(key, recordName),
    };
  });
  const pending = views.find((key) => key.state === "pending") ?? null;
  return {
    domainId: domain.id,
    domain: domain.name,
    active: views.find((key) => key.state === "active") ?? null,
    pending,
    retiring: views.filter((key) => key.state === "retiring"),
    retired: views.filter((key) => key.state === "retired").slice(0, RETIRED_SHOWN),
    canSwitch: pending !== null && isReadyToSwitch(pending),
    retiringPeriodDays: Math.round((settings.retiringPeriodMs / DAY_MS) * 10) / 10,
  };
}

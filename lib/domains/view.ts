import "server-only";

import type { Database } from "@/lib/db/client";
import { selfTestViewOf } from "@/lib/dkim/queries";
import type { DkimKeyState } from "@/lib/dkim/types";
import { relativeName, type Diagnosis, type RecordCheck, type Verdict } from "@/lib/dns";

import type { getDomain } from "./domains";
import { SUGGESTED_TTL, type DomainView, type RecordView } from "./view-types";
import { domainZone } from "./domain-zone";

type StoredDomain = Awaited<ReturnType<typeof getDomain>>;

function groupVerdict(records: Pick<RecordView, "kind" | "required" | "verdict">[], kinds: RecordView["kind"][]): Verdict | "pending" | "none" {
  const relevant = records.filter((record) => kinds.includes(record.kind) && record.required);
  if (relevant.length === 0) return "none";
  if (relevant.some((record) => record.verdict === "failed")) return "failed";
  if (relevant.some((record) => record.verdict === "temporary_failure")) return "temporary_failure";
  if (relevant.some((record) => record.verdict === "pending")) return "pending";
  return "verified";
}

/** What the domain pages and the wizard show: serialisable, without secrets. */
export async function buildDomainView(db: Database, domain: StoredDomain): Promise<DomainView> {
  const { zone, confirmed } = await domainZone(db, domain);
  const records: RecordView[] = domain.records.map((record) => {
    const check = record.lastCheck as unknown as RecordCheck | null;
    return {
      id: record.id,
      kind: record.kind,
      type: record.type as "TXT" | "MX",
      name: record.name,
      relativeName: relativeName(record.name, zone),
      value: record.value,
      preference: record.preference,
      spfInclude: record.spfInclude,
      required: record.required,
      verdict: record.verdict,
      found: check?.found ?? [],
      diagnoses: (check?.diagnoses ?? []).map((diagnosis: Diagnosis) => ({
        code: diagnosis.code,
        severity: diagnosis.severity,
        message: diagnosis.message,
      })),
      lastCheckedAt: record.lastCheckedAt?.toISOString() ?? null,
      ttl: SUGGESTED_TTL,
      dkim: record.dkimKey
        ? {
            keyId: record.dkimKey.id,
            selector: record.dkimKey.selector,
            state: record.dkimKey.state as DkimKeyState,
            retireAfter: record.dkimKey.retireAfter?.toISOString() ?? null,
            dnsVerdict: check?.verdict ?? "pending",
            selfTest: selfTestViewOf(record.dkimKey, record.name),
          }
        : null,
    };
  });
  return {
    id: domain.id,
    name: domain.name,
    displayName: domain.displayName,
    kind: domain.kind,
    scenario: domain.scenario,
    status: domain.status,
    zone,
    zoneConfirmed: confirmed,
    lastCheckedAt: domain.lastCheckedAt?.toISOString() ?? null,
    nextCheckAt: domain.nextCheckAt?.toISOString() ?? null,
    verificationStartedAt: domain.verificationStartedAt.toISOString(),
    verifiedAt: domain.verifiedAt?.toISOString() ?? null,
    groups: summarizeGroups(records),
    records,
  };
}

export function summarizeGroups(records: Pick<RecordView, "kind" | "required" | "verdict">[]): DomainView["groups"] {
  return {
    ownership: groupVerdict(records, ["ownership"]),
    inbound: groupVerdict(records, ["mx"]),
    sending: groupVerdict(records, ["spf", "dkim"]),
  };
}

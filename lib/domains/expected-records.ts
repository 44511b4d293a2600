import type { ExpectedRecord } from "@/lib/dns";

import { OWNERSHIP_LABEL, OWNERSHIP_VALUE_PREFIX, type PlatformSettings } from "./settings";

/**
 * The records a custom domain must publish, in the order the console shows them: ownership, the
 * inbound MX hosts, SPF and DKIM for sending, and DMARC as advice.
 */
export function buildExpectedRecords(
  domain: { name: string; ownershipToken: string; dkimSelector: string; dkimPublicKey: string },
  settings: PlatformSettings,
): ExpectedRecord[] {
  return [
    { kind: "ownership", type: "TXT", name: `${OWNERSHIP_LABEL}.${domain.name}`, value: `${OWNERSHIP_VALUE_PREFIX}${domain.ownershipToken}`, required: true },
    ...settings.inboundHosts.map(
      (host): ExpectedRecord => ({ kind: "mx", type: "MX", name: domain.name, exchange: host.exchange, preference: host.preference, required: true }),
    ),
    {
      kind: "spf",
      type: "TXT",
      name: domain.name,
      include: settings.spfInclude,
      value: `v=spf1 include:${settings.spfInclude} ~all`,
      required: true,
    },
    {
      kind: "dkim",
      type: "TXT",
      name: `${domain.dkimSelector}._domainkey.${domain.name}`,
      value: `v=DKIM1; k=rsa; p=${domain.dkimPublicKey}`,
      required: true,
    },
    {
      kind: "dmarc",
      type: "TXT",
      name: `_dmarc.${domain.name}`,
      value: `v=DMARC1; p=none; rua=mailto:${settings.dmarcReportAddress}`,
      required: false,
    },
  ];
}

export interface StoredRecord {
  kind: ExpectedRecord["kind"];
  name: string;
  value: string;
  preference: number | null;
  spfInclude: string | null;
  required: boolean;
}

/** Stored rows (domain_records) back to the DNS engine's shape. */
export function expectedFromStored(row: StoredRecord): ExpectedRecord {
  switch (row.kind) {
    case "mx":
      return { kind: "mx", type: "MX", name: row.name, exchange: row.value, preference: row.preference ?? 10, required: row.required };
    case "spf":
      return { kind: "spf", type: "TXT", name: row.name, include: row.spfInclude ?? "", value: row.value, required: row.required };
    case "dmarc":
      return { kind: "dmarc", type: "TXT", name: row.name, value: row.value, required: false };
    default:
      return { kind: row.kind, type: "TXT", name: row.name, value: row.value, required: row.required };
  }
}

/** The engine's shape to a domain_records row (without ids and verdicts). */
export function storedFromExpected(record: ExpectedRecord, position: number) {
  return {
    kind: record.kind,
    position,
    type: record.type,
    name: record.name,
    value: record.kind === "mx" ? record.exchange : record.value,
    preference: record.kind === "mx" ? record.preference : null,
    spfInclude: record.kind === "spf" ? record.include : null,
    required: record.required,
  };
}

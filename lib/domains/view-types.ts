import type { DkimKeyState, SelfTestView } from "@/lib/dkim/types";
import type { DiagnosisCode, Severity, Verdict } from "@/lib/dns";

import type { Scenario } from "./domain-schemas";

/** TTL we suggest for new records: short enough to fix a mistake quickly. */
export const SUGGESTED_TTL = 3600;

export type RecordVerdict = Verdict | "pending";
export type GroupVerdict = RecordVerdict | "none";

export interface RecordView {
  id: string;
  kind: "ownership" | "mx" | "spf" | "dkim" | "dmarc";
  type: "TXT" | "MX";
  name: string;
  relativeName: string;
  value: string;
  preference: number | null;
  /** SPF only: the include that must be in whatever SPF record the domain has. */
  spfInclude: string | null;
  required: boolean;
  verdict: RecordVerdict;
  found: string[];
  diagnoses: { code: DiagnosisCode; severity: Severity; message: string }[];
  lastCheckedAt: string | null;
  ttl: number;
  /** DKIM records: the key published here, and its latest self-test (lib/dkim). */
  dkim: {
    keyId: string;
    selector: string;
    state: DkimKeyState;
    /** Retiring keys: the record may be removed from this time on. */
    retireAfter: string | null;
    /** What the DNS engine alone said of the record (the verdict above also needs the self-test). */
    dnsVerdict: RecordVerdict;
    selfTest: SelfTestView | null;
  } | null;
}

export interface DomainView {
  id: string;
  name: string;
  displayName: string;
  kind: "custom" | "platform";
  scenario: Scenario;
  status: "pending" | "verified" | "grace" | "degraded" | "failed";
  /** The zone the records live in: found by the last check, or guessed before one. */
  zone: string;
  zoneConfirmed: boolean;
  lastCheckedAt: string | null;
  nextCheckAt: string | null;
  verificationStartedAt: string;
  verifiedAt: string | null;
  groups: { ownership: GroupVerdict; inbound: GroupVerdict; sending: GroupVerdict };
  records: RecordView[];
}

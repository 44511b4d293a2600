/**
 * Domains as the console shows them: client-safe (no ownership token, no private key). The server
 * side is lib/domains/queries.ts and lib/domains/commands/.
 */

import type { DkimKeyState, SelfTestView } from "@/lib/domains/dkim/types";
import type { DiagnosisCode, Severity, Verdict } from "@/lib/dns";

import type { DomainStatus } from "./status";

/** The four routing scenarios (PRODUCT.md); lib/domains/scenarios.ts describes each. */
export const SCENARIOS = ["own_domain", "own_domain_with_copies", "platform_domain", "platform_domain_with_copies"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export function scenarioUsesOwnDomain(scenario: Scenario): boolean {
  return scenario === "own_domain" || scenario === "own_domain_with_copies";
}

export function scenarioKeepsCopies(scenario: Scenario): boolean {
  return scenario === "own_domain_with_copies" || scenario === "platform_domain_with_copies";
}


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

/** What every view of a domain says: the list's rows, the domain page, the wizard. */
export interface DomainSummary {
  id: string;
  name: string;
  displayName: string;
  kind: "custom" | "platform";
  scenario: Scenario;
  status: DomainStatus;
  lastCheckedAt: string | null;
  groups: { ownership: GroupVerdict; inbound: GroupVerdict; sending: GroupVerdict };
}

export interface DomainView extends DomainSummary {
  /** The zone the records live in: found by the last check, or guessed before one. */
  zone: string;
  zoneConfirmed: boolean;
  nextCheckAt: string | null;
  verificationStartedAt: string;
  verifiedAt: string | null;
  records: RecordView[];
}

/** The as-you-type checks of the set-up wizard; say nothing about who holds a taken name. */
export type Availability = { available: true; ascii: string; unicode: string } | { available: false; reason: string };
export type LabelAvailability = { available: true; ascii: string; unicode: string; label: string } | { available: false; reason: string };

/** A row of the domains list. */
export interface DomainListItem extends DomainSummary {
  routeCount: number;
}

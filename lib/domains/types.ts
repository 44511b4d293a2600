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


/** TTL we suggest while setting up: short enough that a corrected record is seen within minutes. */
export const SUGGESTED_TTL = 300;
/** Once the domain is verified, a longer TTL spares DNS lookups; changing it is optional. */
export const SETTLED_TTL = 3600;

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
  /** When a check last found the record verified (a missing record that was verified has disappeared). */
  lastVerifiedAt: string | null;
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
  /** Grace only: when the domain degrades if the missing record is still missing (mail flows until then). */
  graceEndsAt: string | null;
  /** The zone's nameservers as the last check found them (for the zone file's NS records). */
  nameservers: string[];
  /** A problem with the domain's DNS as a whole, said once instead of on every record (lib/domains/dns-problem.ts). */
  dnsProblem: DnsProblem | null;
  records: RecordView[];
}

export interface DnsProblem {
  code: "no_domain" | "no_answer" | "servfail" | "private_nameservers" | "resolvers_unreachable";
  title: string;
  message: string;
  /** `ns1.corp.test refuses`: what each nameserver did. */
  servers: string[];
}

/** The as-you-type checks of the set-up wizard; say nothing about who holds a taken name. */
export type Availability =
  | {
      available: true;
      ascii: string;
      unicode: string;
      /** Set when DNS could not be asked about the name: registering is allowed, and the hint says what stands in the way. */
      dnsHint?: { title: string; message: string };
    }
  | { available: false; reason: string; /** The organisation already has it: not an error, a pointer. */ yours?: boolean };
export type LabelAvailability =
  | { available: true; ascii: string; unicode: string; label: string }
  | { available: false; reason: string; yours?: boolean };

/** A row of the domains list. */
export interface DomainListItem extends DomainSummary {
  routeCount: number;
}

/** A records share link as the domain page lists it (its token is shown once, at creation, never again). */
export interface ShareLinkView {
  id: string;
  createdAt: string;
  createdByEmail: string;
  expiresAt: string;
  revokedAt: string | null;
  state: "active" | "expired" | "revoked";
}

/** What the public share page shows: one domain's records and their latest verdicts, nothing else. */
export interface SharedRecordsView {
  domain: DomainView;
  expiresAt: string;
}

/**
 * DKIM keys as the console shows them: client-safe (no key material beyond the public key that is
 * published in DNS anyway). The server side is lib/dkim/queries.ts and lib/dkim/commands/.
 */

import type { DomainView, RecordVerdict } from "@/lib/domains/types";

export type DkimKeyState = "pending" | "active" | "retiring" | "retired";

/** pass: receivers verify our signatures; fail: they would not (the admin's DNS); temporary_failure: nobody's fault yet. */
export type SelfTestOutcome = "pass" | "fail" | "temporary_failure";

/** Stable reasons, for tests, API clients and the UI's wording. */
export type SelfTestCode =
  | "pass"
  /** A key is published at the selector, but not ours. */
  | "key_mismatch"
  /** Nothing at `<selector>._domainkey.<domain>` (NXDOMAIN or no TXT). */
  | "no_key"
  /** `p=` is empty: the key was revoked (RFC 6376 §3.6.1). */
  | "key_revoked"
  /** A TXT record is there, but it is not a usable DKIM key (syntax, version, key type). */
  | "key_invalid"
  /**
   * Our signature verifies against the record (mailauth is lenient here), but the DNS check found
   * what makes receivers ignore the key or treat our mail as unsigned (its tags, another key record).
   */
  | "key_ignored"
  /** The published key is shorter than receivers accept. */
  | "key_weak"
  /** The signature did not verify with our own key either: a fault on our side. */
  | "signature_invalid"
  /** DNS errors or timeouts: not a verdict on the record. */
  | "dns_error"
  /** The domain's DNS servers publish the key, but resolvers still answer from a cache (none, or an older record). */
  | "not_yet_visible"
  /** The console could not use its stored private key (SECRETS_KEY changed or missing). */
  | "key_unavailable";

export interface SelfTestView {
  outcome: SelfTestOutcome;
  code: SelfTestCode;
  /** What it means, in an administrator's words. */
  message: string;
  /** mailauth's own words (e.g. "bad signature", "no key", "DNS failure: ETIMEOUT"), when it said any. */
  detail: string | null;
  testedAt: string;
}

export interface DkimKeyView {
  id: string;
  selector: string;
  state: DkimKeyState;
  /** Fully qualified record name and the TXT value to publish there. */
  recordName: string;
  /** The record name as typed at most DNS hosts: relative to the domain's zone. */
  relativeName: string;
  recordValue: string;
  /** The record's verdict: the DNS engine's, and (for a found record) the self-test's. */
  recordVerdict: RecordVerdict | null;
  createdAt: string;
  activatedAt: string | null;
  replacedAt: string | null;
  /** A retiring key's record may be removed from this time on. */
  retireAfter: string | null;
  retiredAt: string | null;
  selfTest: SelfTestView | null;
}

export interface DkimPanelView {
  domainId: string;
  domain: string;
  /** Signs outgoing mail now (absent only for domains registered without a key). */
  active: DkimKeyView | null;
  /** A new key waiting to be published and verified before the switch. */
  pending: DkimKeyView | null;
  /** Replaced keys whose records must stay published a while longer. */
  retiring: DkimKeyView[];
  /** The most recently retired keys (their records may be removed). */
  retired: DkimKeyView[];
  /** The switch to the pending key is allowed now: its record verified and its self-test passed. */
  canSwitch: boolean;
  /** How long a replaced key stays published, in days (DKIM_RETIRING_PERIOD). */
  retiringPeriodDays: number;
}

/** What the DKIM panel's actions return: the panel and the domain (whose DKIM verdicts may have moved). */
export interface DkimActionResult {
  panel: DkimPanelView;
  domain: DomainView;
}

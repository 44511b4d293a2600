import type { RecordVerdict } from "@/lib/domains/view-types";

import type { SelfTestCode, SelfTestOutcome } from "./types";

/**
 * How a DKIM record's verdict joins the DNS engine's (is the expected TXT at the name, on the
 * domain's own nameservers?) with the self-test's (does a signature made with our key verify
 * against what resolvers return?). "Verified", and so "Sending ready", needs both: a record that
 * looks right but that receivers cannot verify against is not verified.
 */
export function dkimRecordVerdict(dnsVerdict: RecordVerdict, selfTest: { outcome: SelfTestOutcome } | null): RecordVerdict {
  if (dnsVerdict !== "verified" || !selfTest) return dnsVerdict;
  switch (selfTest.outcome) {
    case "pass":
      return "verified";
    case "fail":
      return "failed";
    case "temporary_failure":
      return "temporary_failure";
  }
}

/**
 * A self-test that found no key, or another one, while the domain's own nameservers serve exactly
 * ours: the resolvers answer from their cache (a negative answer cached before the record was
 * added, or the old value). Receivers see the same for now, but nothing is wrong with the record —
 * it clears by itself — so it is a temporary failure, not the admin's to fix. With more than one
 * TXT record at the name it is not a cache: receivers pick one of them, and the self-test says which
 * failed.
 */
const STALE_ANSWERS: readonly SelfTestCode[] = ["no_key", "key_mismatch", "key_revoked", "key_invalid", "key_weak"];

export function reconcileWithDns(code: SelfTestCode, dns: { verdict: RecordVerdict; found: readonly string[] } | null): SelfTestCode {
  if (dns?.verdict === "verified" && dns.found.length === 1 && STALE_ANSWERS.includes(code)) return "not_yet_visible";
  return code;
}

import type { Diagnosis, DiagnosisCode } from "@/lib/dns";
import type { RecordVerdict } from "@/lib/domains/types";

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
 * A self-test that failed while the domain's own nameservers serve a record the DNS engine
 * verified: if what the resolvers returned is not what the nameservers serve (no record at all, or
 * another value), the resolvers answer from their cache — a negative answer cached before the
 * record was added, or the old value. Receivers see the same for now, but nothing is wrong with the
 * record and it clears by itself, so it is a temporary failure, not the admin's to fix. When the
 * resolvers returned exactly what is published, the failure is the record's own (for example
 * `k=ed25519` with an RSA key): that stays a failure.
 */
const STALE_ANSWERS: readonly SelfTestCode[] = ["no_key", "key_mismatch", "key_revoked", "key_invalid", "key_weak"];

const compact = (value: string) => value.replace(/\s+/g, "");

export function reconcileWithDns(
  code: SelfTestCode,
  seen: string | null,
  dns: { verdict: RecordVerdict; found: readonly string[] } | null,
): SelfTestCode {
  if (dns?.verdict !== "verified" || !STALE_ANSWERS.includes(code)) return code;
  if (seen === null) return code === "no_key" ? "not_yet_visible" : code;
  return dns.found.some((value) => compact(value) === compact(seen)) ? code : "not_yet_visible";
}

/**
 * Diagnoses of the DNS engine's record check that mean receivers do not use the key for our
 * signatures, whatever mailauth says: it does not enforce a key record's h=, s= or t= tags, so its
 * pass there would tell the admin the opposite of the record's check on the same page.
 */
const IGNORED_BY_RECEIVERS: ReadonlySet<DiagnosisCode> = new Set<DiagnosisCode>(["dkim_key_tag", "dkim_multiple_keys"]);

/**
 * A passing self-test joined with the record's check: `key_ignored`, naming what the check found,
 * when it failed the record for what receivers do with it; otherwise the self-test's own result.
 */
export function agreeWithRecordCheck(
  tested: { code: SelfTestCode; detail: string | null },
  dns: { verdict: RecordVerdict; diagnoses?: readonly Pick<Diagnosis, "code" | "severity" | "details">[] } | null,
): { code: SelfTestCode; detail: string | null } {
  if (tested.code !== "pass" || dns?.verdict !== "failed") return tested;
  const reasons = (dns.diagnoses ?? []).filter((d) => d.severity === "error" && IGNORED_BY_RECEIVERS.has(d.code));
  if (reasons.length === 0) return tested;
  const found = reasons.map((d) => {
    if (d.code === "dkim_multiple_keys") return "another DKIM key record at the same name";
    const details = d.details as { tag?: unknown; value?: unknown } | undefined;
    return `${String(details?.tag)}=${String(details?.value ?? "")}`;
  });
  return { code: "key_ignored", detail: [...new Set(found)].join(", ") };
}

/**
 * The one rule for switching to a new key, shared by the panel (to offer the button) and the switch
 * command (to allow it): its record is verified — which for a DKIM record includes its self-test —
 * and its latest self-test passed.
 */
export function isReadyToSwitch(key: { recordVerdict: RecordVerdict | null; selfTest: { outcome: SelfTestOutcome } | null }): boolean {
  return key.recordVerdict === "verified" && key.selfTest?.outcome === "pass";
}

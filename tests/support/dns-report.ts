import { expect } from "vitest";

import type { RecordCheck, VerificationReport } from "@/lib/dns/report";

/**
 * Severity matches the verdict: a record that is not verified says why with at least one
 * `error`, a verified one has none (warnings and notes never change a verdict).
 */
export function expectSeveritiesMatchVerdicts(report: Pick<VerificationReport, "checks">): void {
  for (const check of report.checks) expectSeverityMatchesVerdict(check);
}

export function expectSeverityMatchesVerdict(check: RecordCheck): void {
  const errors = check.diagnoses.filter((d) => d.severity === "error").map((d) => d.code);
  const where = `${check.expected.kind} ${check.name} (${check.verdict}): ${check.diagnoses.map((d) => `${d.severity} ${d.code}`).join(", ")}`;
  if (check.verdict === "verified") expect(errors, where).toEqual([]);
  else expect(errors.length, where).toBeGreaterThan(0);
}

import type { ExpectedRecord } from "./expected";
import type { OutcomeKind } from "./types";

export type Verdict = "verified" | "failed" | "temporary_failure";
export type Severity = "error" | "warning" | "info";

/** Stable identifiers: the UI and the CLI key on them, so never rename one. */
export type DiagnosisCode =
  | "doubled_zone_suffix"
  | "txt_split"
  | "txt_quoted"
  | "multiple_spf"
  | "spf_too_many_lookups"
  | "cname_at_name"
  | "mx_target_cname"
  | "mx_target_ip"
  | "competing_mx"
  | "servfail"
  | "authoritative_disagree"
  | "resolver_negative_cache"
  // Codes beyond the list the product asked for: each names a situation the admin can act on.
  | "record_missing"
  | "value_mismatch"
  | "mx_preference_mismatch"
  | "spf_include_after_all"
  | "resolver_stale"
  | "nameserver_error"
  | "zone_discovery_failed"
  | "deadline_exceeded"
  | "invalid_name"
  // Added with evaluation-order SPF and the nameserver address policy.
  | "spf_broken_include"
  | "nameserver_address_refused"
  // MX records senders read otherwise than the admin meant.
  | "null_mx"
  | "mx_target_suffixed"
  | "mx_target_missing"
  // Added with DKIM key record tags (RFC 6376 §3.6.1).
  | "dkim_key_tag"
  | "dkim_multiple_keys"
  // Added with DMARC tags receivers act on (RFC 7489).
  | "dmarc_tag"
  | "dmarc_report_unauthorized"
  // Added with strict SPF syntax checking.
  | "spf_syntax_error"
  | "spf_include_qualifier"
  | "spf_platform_record_broken"
  | "spf_void_lookups";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Diagnosis {
  code: DiagnosisCode;
  severity: Severity;
  /** A sentence an administrator can act on, naming the concrete names and values. */
  message: string;
  details?: { [key: string]: JsonValue };
}

export interface ServerCheck {
  /** `ns1.acme.com (127.0.0.2:53)` or `resolver 127.0.0.1:5300`. */
  server: string;
  role: "authoritative" | "resolver";
  outcome: OutcomeKind;
  /** Values found there, formatted like `found`. For a CNAME, the values at its target. */
  values: string[];
  ttl: number | null;
  /** Error text for error outcomes; the alias chain for `cname`. */
  message?: string;
}

export interface RecordCheck {
  expected: ExpectedRecord;
  /** The queried name in ASCII (A-labels), no trailing dot. */
  name: string;
  verdict: Verdict;
  /** Every value found at the name, over all servers: TXT joined, MX as `10 mx.example.net`. */
  found: string[];
  /** TTL of the authoritative answer (lowest over servers), null when nothing was found. */
  ttl: number | null;
  servers: ServerCheck[];
  diagnoses: Diagnosis[];
}

export interface NameserverReport {
  name: string;
  zone: string;
  /** Every address known for the name (glue or resolver). */
  addresses: string[];
  /** The address queried, `host:port`; null when no address could be found. */
  queried: string | null;
  /** True when it sent at least one DNS reply (any response code) during the run. */
  reachable: boolean;
  error?: string;
}

export interface VerificationSummary {
  /** Ownership TXT records. */
  ownership: Verdict;
  /** All MX records. */
  inbound: Verdict;
  /** SPF and DKIM. */
  sending: Verdict;
  /** Every required record. */
  overall: Verdict;
}

export interface VerificationReport {
  /** ASCII (punycode) form of the domain. */
  domain: string;
  /** Apex of the zone holding the domain, null when discovery failed. */
  zone: string | null;
  nameservers: NameserverReport[];
  resolvers: string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  checks: RecordCheck[];
  summary: VerificationSummary;
  /** Problems about the whole domain (zone discovery, deadline); also repeated on affected checks. */
  diagnoses: Diagnosis[];
  /** Distinct DNS exchanges sent during the run. */
  queries: number;
}

/** Group verdict: failed wins over temporary_failure, which wins over verified. Non-required records never count. */
export function groupVerdict(checks: readonly RecordCheck[]): Verdict {
  const required = checks.filter((c) => c.expected.required);
  if (required.some((c) => c.verdict === "failed")) return "failed";
  if (required.some((c) => c.verdict === "temporary_failure")) return "temporary_failure";
  return "verified";
}

export function summarize(checks: readonly RecordCheck[]): VerificationSummary {
  return {
    ownership: groupVerdict(checks.filter((c) => c.expected.kind === "ownership")),
    inbound: groupVerdict(checks.filter((c) => c.expected.kind === "mx")),
    sending: groupVerdict(checks.filter((c) => c.expected.kind === "spf" || c.expected.kind === "dkim")),
    overall: groupVerdict(checks),
  };
}

/** Process exit code for a CLI: 0 all required verified, 1 a required record failed, 2 errors prevented a verdict. */
export function reportExitCode(report: Pick<VerificationReport, "checks">): 0 | 1 | 2 {
  const verdict = groupVerdict(report.checks);
  return verdict === "verified" ? 0 : verdict === "failed" ? 1 : 2;
}

/** How a record is shown in one cell: TXT values as is, MX as `10 mx.example.net`. */
export function describeExpected(expected: ExpectedRecord): string {
  switch (expected.kind) {
    case "mx":
      return `${expected.preference} ${expected.exchange}`;
    case "spf":
      return `include:${expected.include}`;
    default:
      return expected.value;
  }
}

function fit(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ");
  if (flat.length <= width) return flat.padEnd(width);
  return `${flat.slice(0, Math.max(0, width - 1))}…`;
}

const VERDICT_LABEL: Record<Verdict, string> = {
  verified: "verified",
  failed: "FAILED",
  temporary_failure: "retry",
};

/**
 * A fixed-width table for a terminal (record, verdict, expected, found, first diagnosis),
 * followed by every distinct diagnosis message, one per line.
 */
export function formatReportTable(report: VerificationReport): string {
  const columns = [
    { title: "RECORD", width: 34 },
    { title: "VERDICT", width: 9 },
    { title: "EXPECTED", width: 30 },
    { title: "FOUND", width: 30 },
    { title: "DIAGNOSIS", width: 24 },
  ] as const;
  const row = (cells: string[]): string =>
    columns
      .map((c, i) => fit(cells[i] ?? "", c.width))
      .join("  ")
      .trimEnd();
  const lines: string[] = [];
  lines.push(`Domain ${report.domain}  zone ${report.zone ?? "(not found)"}  ${report.durationMs} ms  ${report.queries} queries`);
  for (const ns of report.nameservers) {
    lines.push(`  nameserver ${ns.name} ${ns.queried ?? "(no address)"} ${ns.reachable ? "reachable" : `unreachable${ns.error ? `: ${ns.error}` : ""}`}`);
  }
  lines.push(
    `Summary: ownership ${report.summary.ownership}, inbound ${report.summary.inbound}, sending ${report.summary.sending}, overall ${report.summary.overall}`,
  );
  lines.push("");
  lines.push(row(columns.map((c) => c.title)));
  lines.push(row(columns.map((c) => "-".repeat(c.width))));
  for (const check of report.checks) {
    const label = `${check.expected.kind}${check.expected.required ? "" : "(opt)"} ${check.name}`;
    const diagnosis = check.diagnoses.find((d) => d.severity === "error") ?? check.diagnoses[0];
    lines.push(
      row([
        label,
        VERDICT_LABEL[check.verdict],
        describeExpected(check.expected),
        check.found.length > 0 ? check.found.join(" | ") : "-",
        diagnosis?.code ?? "",
      ]),
    );
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const diagnosis of [...report.diagnoses, ...report.checks.flatMap((c) => c.diagnoses)]) {
    if (seen.has(diagnosis.message)) continue;
    seen.add(diagnosis.message);
    messages.push(`${diagnosis.severity.toUpperCase().padEnd(7)} ${diagnosis.code}: ${diagnosis.message}`);
  }
  if (messages.length > 0) {
    lines.push("");
    lines.push(...messages);
  }
  return `${lines.join("\n")}\n`;
}

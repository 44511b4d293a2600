import { verifyDomainRecords, type DiagnosisCode, type RecordCheck, type VerifyOptions } from "@/lib/dns";

import { DOMAIN_WIDE_CODES } from "./record-status";
import type { DnsProblem } from "./types";

const OUTCOME_WORDS: Partial<Record<string, string>> = {
  refused: "refuses",
  timeout: "does not answer",
  network_error: "cannot be reached",
  servfail: "answers SERVFAIL",
  malformed: "sends unreadable replies",
  referral: "does not serve the zone",
  address_refused: "has a private address",
};

/** `ns1.corp.test (127.0.0.2:53)` → `ns1.corp.test`. */
const serverName = (label: string) => label.replace(/\s*\(.*\)$/, "");

/**
 * One sentence in an administrator's words for a domain none of whose records could be checked
 * because of its DNS as a whole (no zone, every nameserver refusing or lame, SERVFAIL everywhere),
 * or null when at least one record got a real answer, or the records fail each for its own reason.
 */
export function domainWideProblem(zone: string, checks: readonly (RecordCheck | null)[]): DnsProblem | null {
  if (checks.length === 0 || checks.some((check) => check === null || check.verdict !== "temporary_failure")) return null;
  const errors = (checks as RecordCheck[]).map((check) => check.diagnoses.filter((d) => d.severity === "error"));
  if (errors.some((list) => list.length === 0 || !list.every((d) => DOMAIN_WIDE_CODES.has(d.code)))) return null;
  const all = errors.flat();
  const has = (code: DiagnosisCode) => all.some((d) => d.code === code);

  const servers = new Map<string, string>();
  for (const check of checks as RecordCheck[]) {
    for (const server of check.servers) {
      if (server.role !== "authoritative" || server.outcome === "answer") continue;
      const name = serverName(server.server);
      const lame = server.message?.includes("lame") ? "does not serve the zone (lame delegation)" : undefined;
      servers.set(name, lame ?? OUTCOME_WORDS[server.outcome] ?? server.outcome.replace("_", " "));
    }
  }
  const serverList = [...servers].map(([name, what]) => `${name} ${what}`);

  const zoneFailure = all.find((d) => d.code === "zone_discovery_failed");
  if (zoneFailure?.details?.reason === "nxdomain") {
    return {
      code: "no_domain",
      title: `${zone} does not exist in DNS`,
      message: `The DNS answers that ${zone} does not exist — is the domain registered, and spelled correctly? Nothing can be checked until it is.`,
      servers: [],
    };
  }
  if (zoneFailure?.details?.reason === "resolvers_unreachable") {
    const resolvers = new Map<string, string>();
    for (const check of checks as RecordCheck[]) {
      for (const server of check.servers) {
        if (server.role === "resolver" && server.outcome !== "answer") resolvers.set(server.server, `${server.server} ${OUTCOME_WORDS[server.outcome] ?? server.outcome.replace("_", " ")}`);
      }
    }
    return {
      code: "resolvers_unreachable",
      title: "The console's DNS resolvers are not answering",
      message: `None of ${zone}'s records could be checked because the DNS resolvers this console asks did not answer. That says nothing about ${zone}'s own DNS, and nothing about the domain has changed; the check will be retried. If this lasts, whoever runs the console should check its DNS_RESOLVERS setting.`,
      servers: [...resolvers.values()],
    };
  }
  if (has("nameserver_address_refused")) {
    return {
      code: "private_nameservers",
      title: `The nameservers of ${zone} cannot be reached from the internet`,
      message: `The DNS servers ${zone} is delegated to have private addresses, so no mail server could read its records. Correct their addresses (or the glue records) at your registrar.`,
      servers: serverList,
    };
  }
  if (has("servfail") && !has("nameserver_error") && !has("zone_discovery_failed")) {
    return {
      code: "servfail",
      title: `The DNS servers for ${zone} answer with errors`,
      message: `Every question about ${zone} ends in SERVFAIL. This is usually broken DNSSEC: expired signatures, or a DS record at your registrar that does not match the zone's keys.`,
      servers: serverList,
    };
  }
  return {
    code: "no_answer",
    title: "None of the records can be checked yet",
    message: `No DNS server answers for ${zone} — is the domain registered and delegated to your DNS host? Until one does, none of its records can be checked; we keep trying.`,
    servers: serverList,
  };
}

/**
 * Before a domain is registered: does any DNS server answer for it? One TXT lookup at the name
 * itself through the same engine (zone discovery, every nameserver asked), on a short deadline.
 * Returns the problem in an admin's words, or null when DNS answers (whatever it answers).
 */
export async function probeDomainDns(domain: string, options: VerifyOptions): Promise<DnsProblem | null> {
  const report = await verifyDomainRecords(
    { domain, records: [{ kind: "dkim", type: "TXT", name: domain, value: "probe", required: true }] },
    { ...options, deadlineMs: Math.min(options.deadlineMs ?? 4000, 4000) },
  );
  return domainWideProblem(report.zone ?? domain, report.checks);
}

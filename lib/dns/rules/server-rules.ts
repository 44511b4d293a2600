import type { RefusedNameserver, ZoneResult } from "../discovery";
import { formatValue, outcomeMessage, type UnusableView } from "../evidence";
import type { Diagnosis, Severity } from "../report";
import { recordsSatisfy } from "../satisfaction";
import type { RecordContext } from "./context";
import { quote, shorten } from "./context";

const DNSSEC_ADVICE =
  "This is usually broken DNSSEC — expired signatures, or a DS record at your registrar that does not match the zone's keys. Re-sign the zone at your DNS host or remove the DS record at the registrar.";

/** Why the zone or its servers could not be found (the address policy has its own rule). */
export function zoneNotFound(ctx: RecordContext): Diagnosis[] {
  const zone = ctx.evidence.zone;
  if (!zone || zone.ok || zone.reason === "addresses_refused") return [];
  return [zoneDiagnosis(zone, ctx.name)];
}

export function zoneDiagnosis(zone: Extract<ZoneResult, { ok: false }>, name: string): Diagnosis {
  if (zone.outcome?.kind === "servfail") {
    return {
      code: "servfail",
      severity: "error",
      message: `Looking up the DNS servers of ${zone.name} fails with SERVFAIL, so no record under it can be read (${name} included). ${DNSSEC_ADVICE}`,
      details: { name: zone.name },
    };
  }
  const advice =
    zone.reason === "nxdomain"
      ? "Check that the domain is registered and spelled correctly."
      : zone.reason === "no_nameservers"
        ? "Check the NS records at your registrar."
        : zone.reason === "resolvers_unreachable"
          ? "That is the DNS resolvers this console asks, not your domain's DNS; the check will be retried."
          : "The check will be retried.";
  return {
    code: "zone_discovery_failed",
    severity: "error",
    message: `Could not find the authoritative DNS servers for ${name}: ${zone.message}. ${advice}`,
    details: { reason: zone.reason },
  };
}

/**
 * Nameservers the address policy kept the run from querying. An error when no server could be
 * asked (no verdict), a warning when the others decided it.
 */
export function refusedNameservers(ctx: RecordContext): Diagnosis[] {
  const { refused, zone } = ctx.evidence;
  if (refused.length === 0) return [];
  const blocking = zone !== null && !zone.ok && zone.reason === "addresses_refused";
  return [nameserverRefusalDiagnosis(refused, blocking ? "error" : "warning")];
}

export function nameserverRefusalDiagnosis(refused: readonly RefusedNameserver[], severity: Severity): Diagnosis {
  const zones = [...new Set(refused.map((r) => r.zone))];
  const listed = refused.map((r) => `${r.name} at ${r.address} (${r.addressClass === "invalid" ? "not an IP address" : r.addressClass})`).join(", ");
  return {
    code: "nameserver_address_refused",
    severity,
    message: `The DNS records of ${zones.join(", ")} point ${listed}, so ${refused.length > 1 ? "those nameservers were" : "that nameserver was"} not queried. Nameservers must have public addresses that mail servers on the internet can reach: correct the nameserver's A/AAAA record, or its glue record at your registrar.${
      severity === "warning" ? " The other nameservers were asked instead." : ""
    }`,
    details: { nameservers: refused.map((r) => ({ name: r.name, zone: r.zone, address: r.address, addressClass: r.addressClass })) },
  };
}

/** Authoritative servers (or the resolver, when they answer) report SERVFAIL. */
export function servfail(ctx: RecordContext): Diagnosis[] {
  const failing = ctx.unusable.filter((s) => s.outcome.kind === "servfail");
  const labels = failing.map((s) => s.observation.server.label);
  if (failing.length > 0) {
    const decided = ctx.verdict !== "temporary_failure";
    return [
      {
        code: "servfail",
        severity: decided ? "warning" : "error",
        message: decided
          ? `${labels.join(", ")} answer${failing.length > 1 ? "" : "s"} SERVFAIL for ${ctx.name} while the other servers for ${ctx.relativeTo} answer normally: mail servers that ask ${failing.length > 1 ? "them" : "it"} cannot read your records. Check that zone at your DNS host (an expired secondary copy, or broken DNSSEC signing).`
          : `The DNS servers for ${ctx.relativeTo} answer SERVFAIL for ${ctx.name} (${labels.join(", ")}): the record cannot be read, whether or not it is published. ${DNSSEC_ADVICE}`,
        details: { servers: labels },
      },
    ];
  }
  const resolverOutcome = ctx.evidence.resolver?.outcome;
  if (resolverOutcome?.kind === "servfail" && ctx.definitive.length > 0) {
    // The verdict rests on the authoritative servers; this says what validating receivers see.
    return [
      {
        code: "servfail",
        severity: ctx.verdict === "verified" ? "warning" : "error",
        message: `${ctx.evidence.resolver?.label ?? "The resolver"} answers SERVFAIL for ${ctx.name} although the authoritative servers answer normally: DNSSEC validation of ${ctx.relativeTo} is failing (expired signatures, or a DS record at your registrar that does not match the zone's keys). Mail servers that validate DNSSEC will not see the record until this is fixed at your DNS host or registrar.`,
        details: { servers: [ctx.evidence.resolver?.label ?? "resolver"] },
      },
    ];
  }
  return [];
}

function unusableReason(view: UnusableView): string {
  if (view.observation.lame) return `${view.observation.lame}: lame delegation`;
  switch (view.outcome.kind) {
    case "timeout":
      return "no reply";
    case "network_error":
      return "unreachable";
    case "malformed":
      return "unreadable reply";
    default:
      return view.outcome.kind.replace("_", " ");
  }
}

/**
 * Servers that gave no usable answer (refused, silent, lame, unreadable): an error only when no
 * other server decided the verdict.
 */
export function unusableServers(ctx: RecordContext): Diagnosis[] {
  const failing = ctx.unusable.filter((s) => s.outcome.kind !== "servfail");
  if (failing.length === 0) return [];
  const undecided = ctx.verdict === "temporary_failure";
  return [
    {
      code: "nameserver_error",
      severity: undecided ? "error" : "warning",
      message: `No usable answer from ${failing.map((s) => `${s.observation.server.label} (${unusableReason(s)})`).join(", ")} for ${ctx.name}${
        undecided ? ": the check could not be completed; it will be retried." : ": mail servers that pick this nameserver may fail to see your records."
      }`,
      details: { errors: failing.map((s) => `${s.observation.server.label}: ${outcomeMessage(s.outcome)}`) },
    },
  ];
}

export function deadline(ctx: RecordContext): Diagnosis[] {
  if (!ctx.evidence.deadlineHit || ctx.verdict !== "temporary_failure") return [];
  return [
    {
      code: "deadline_exceeded",
      severity: "error",
      message: `The DNS servers for ${ctx.relativeTo} did not answer in time; the check stopped at its deadline and will be retried.`,
    },
  ];
}

/**
 * Authoritative servers that serve different things. When some have the record and others do not,
 * that is why it fails (an error); otherwise it only explains a difference (a warning).
 */
export function disagreement(ctx: RecordContext): Diagnosis[] {
  if (ctx.groups.length < 2) return [];
  const { expected } = ctx;
  const parts = ctx.definitive.map((s) => {
    const has = s.records.length > 0 ? s.records.map((r) => quote(shorten(formatValue(r)))).join(", ") : `no ${expected.type} record`;
    return `${s.observation.server.label} has ${has}`;
  });
  return [
    {
      code: "authoritative_disagree",
      severity: ctx.splitVerdict ? "error" : "warning",
      message: `The authoritative servers for ${ctx.relativeTo} disagree about ${ctx.name}: ${parts.join("; ")}. This is usually a change still being copied from the primary to the secondary servers; check again in a few minutes, and if it persists check zone transfers at your DNS host.`,
      details: { servers: ctx.definitive.map((s) => ({ server: s.observation.server.label, values: s.records.map(formatValue) })) },
    },
  ];
}

/** The record is published, but the resolver (what mail servers ask) still has an older answer. */
export function resolverCache(ctx: RecordContext): Diagnosis[] {
  const resolver = ctx.evidence.resolver;
  if (ctx.verdict !== "verified" || !resolver) return [];
  const outcome = resolver.outcome;
  if (outcome.kind === "nxdomain" || outcome.kind === "nodata") {
    const ttl = outcome.negativeTtl;
    const until = ttl !== null ? new Date(ctx.evidence.now.getTime() + ttl * 1000) : null;
    return [
      {
        code: "resolver_negative_cache",
        severity: "warning",
        message: `The record is published (${ctx.definitive.map((s) => s.observation.server.name).join(", ")} answer it), but ${resolver.label} still has a cached "${outcome.kind === "nxdomain" ? "no such name" : "no such record"}" answer for ${ctx.name}${
          until ? ` until ${until.toISOString()} (negative-cache TTL ${ttl} s)` : " until its negative cache expires"
        }. Nothing to change: mail servers using that resolver will see it after that.`,
        details: { resolver: resolver.label, negativeTtl: ttl, expiresAt: until ? until.toISOString() : null },
      },
    ];
  }
  if (outcome.kind === "answer" && !recordsSatisfy(ctx.expected, ctx.resolverRecords, ctx.evidence)) {
    return [
      {
        code: "resolver_stale",
        severity: "info",
        message: `${resolver.label} still returns an older value for ${ctx.name} (${ctx.resolverRecords.map((r) => quote(shorten(formatValue(r)))).join(", ")}), cached for up to ${outcome.ttl} s more; the authoritative servers already have the new one.`,
        details: { resolver: resolver.label, ttl: outcome.ttl },
      },
    ];
  }
  return [];
}

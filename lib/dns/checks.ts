import type { DefinitiveView, RecordEvidence } from "./evidence";
import { formatValue, outcomeMessage, serverView, typed } from "./evidence";
import type { ExpectedRecord } from "./expected";
import { relativeName } from "./names";
import type { Diagnosis, RecordCheck, ServerCheck, Verdict } from "./report";
import type { RecordContext } from "./rules/context";
import { mxDiagnoses } from "./rules/mx-rules";
import { aliasAtName, doubledSuffix } from "./rules/name-rules";
import { deadline, disagreement, refusedNameservers, resolverCache, servfail, unusableServers, zoneNotFound } from "./rules/server-rules";
import { txtDiagnoses } from "./rules/txt-rules";
import { recordsSatisfy } from "./satisfaction";
import type { LookupOutcome } from "./types";
import { isErrorOutcome } from "./types";

/**
 * The verdict on one expected record and every diagnosis that explains it. The verdict rests on
 * the authoritative servers' answers (lib/dns/satisfaction.ts); each rule in lib/dns/rules names
 * one problem, with a severity that matches the verdict: an `error` is why the record is not
 * verified, a `warning` or `info` never changes the verdict.
 */
export function evaluateRecord(evidence: RecordEvidence): RecordCheck {
  if (evidence.name === null) return invalidNameCheck(evidence.expected);
  const ctx = recordContext(evidence, evidence.name);
  const diagnoses = [
    ...zoneNotFound(ctx),
    ...refusedNameservers(ctx),
    ...servfail(ctx),
    ...unusableServers(ctx),
    ...deadline(ctx),
    ...aliasAtName(ctx),
    ...doubledSuffix(ctx),
    ...disagreement(ctx),
    ...valueDiagnoses(ctx),
    ...resolverCache(ctx),
  ];
  const { servers, found } = serverTable(ctx);
  const answeredTtls = ctx.definitive.flatMap((s) => s.records.map((r) => r.ttl));
  return {
    expected: evidence.expected,
    name: ctx.name,
    verdict: ctx.verdict,
    found,
    ttl: answeredTtls.length > 0 ? Math.min(...answeredTtls) : null,
    servers,
    diagnoses: sortBySeverity(distinct(diagnoses)),
  };
}

function invalidNameCheck(expected: ExpectedRecord): RecordCheck {
  return {
    expected,
    name: expected.name,
    verdict: "failed",
    found: [],
    ttl: null,
    servers: [],
    diagnoses: [{ code: "invalid_name", severity: "error", message: `"${expected.name}" is not a valid DNS name, so no record can exist there.` }],
  };
}

const TYPE_LABELS: Record<ExpectedRecord["kind"], string> = { ownership: "TXT", mx: "MX", spf: "SPF", dkim: "DKIM", dmarc: "DMARC" };

function recordContext(evidence: RecordEvidence, name: string): RecordContext {
  const { expected } = evidence;
  const relativeTo = evidence.zone?.ok ? evidence.zone.apex : evidence.domain;
  const servers = evidence.auth.map((observation) => serverView(observation, expected));
  const definitive = servers.filter((s): s is DefinitiveView => s.status === "records");
  const unusable = servers.filter((s) => s.status === "error");
  const satisfying = definitive.filter((s) => recordsSatisfy(expected, s.records, evidence));
  const verdict = decideVerdict(evidence, definitive.length, satisfying.length);
  const groups = groupByAnswer(definitive);
  // With disagreeing servers, the most common answer is the one most receivers will see.
  const majority = groups[0]?.[0] ?? null;
  const resolverOutcome = evidence.resolver?.outcome ?? null;
  const resolverRecords = resolverOutcome?.kind === "answer" ? typed(expected, resolverOutcome.records) : [];
  const resolverUsable = resolverOutcome !== null && (resolverOutcome.kind === "answer" || resolverOutcome.kind === "nodata" || resolverOutcome.kind === "nxdomain");
  // Without an authoritative answer the resolver's copy may be stale: it can show how a value is
  // mistyped, but not that it is missing (see quietMissing).
  const records = majority ? majority.records : resolverRecords;
  const viewOutcome: LookupOutcome | null = majority ? majority.outcome : resolverUsable ? resolverOutcome : null;
  const aliasOutcome = majority?.observation.outcome;
  const aliased = aliasOutcome !== undefined && "chain" in aliasOutcome && (aliasOutcome.chain.length > 0 || aliasOutcome.kind === "cname");
  return {
    expected,
    name,
    relativeTo,
    enterName: relativeName(name, relativeTo),
    typeLabel: TYPE_LABELS[expected.kind],
    evidence,
    verdict,
    servers,
    definitive,
    unusable,
    groups,
    splitVerdict: satisfying.length > 0 && satisfying.length < definitive.length,
    majority,
    records,
    viewOutcome,
    satisfied: recordsSatisfy(expected, records, evidence),
    aliased,
    doubledFound: evidence.doubled.some((probe) => probe.observations.some((o) => o.outcome.kind === "answer" && typed(expected, o.outcome.records).length > 0)),
    resolver: evidence.resolver,
    resolverRecords,
  };
}

/**
 * `verified` when every authoritative server that answered definitively satisfies the record,
 * `failed` when one did not, `temporary_failure` when none answered (or no zone was found).
 */
function decideVerdict(evidence: RecordEvidence, definitive: number, satisfying: number): Verdict {
  if (!evidence.zone?.ok || definitive === 0) return "temporary_failure";
  return satisfying === definitive ? "verified" : "failed";
}

function groupByAnswer(definitive: DefinitiveView[]): DefinitiveView[][] {
  const groups = new Map<string, DefinitiveView[]>();
  for (const server of definitive) {
    const key = server.records
      .map(formatValue)
      .map((v) => v.toLowerCase())
      .sort()
      .join("\n");
    groups.set(key, [...(groups.get(key) ?? []), server]);
  }
  return [...groups.values()].sort((a, b) => b.length - a.length);
}

function valueDiagnoses(ctx: RecordContext): Diagnosis[] {
  if (!ctx.viewOutcome || isErrorOutcome(ctx.viewOutcome)) return [];
  const { expected } = ctx;
  return expected.kind === "mx" ? mxDiagnoses({ ...ctx, expected }) : txtDiagnoses({ ...ctx, expected });
}

/** Per server: what it answered and the values it serves; `found` is every value seen anywhere. */
function serverTable(ctx: RecordContext): { servers: ServerCheck[]; found: string[] } {
  const servers: ServerCheck[] = [];
  const found: string[] = [];
  const remember = (values: string[]): void => {
    for (const v of values) if (!found.includes(v)) found.push(v);
  };
  for (const view of ctx.servers) {
    const { observation } = view;
    const records = view.status === "records" ? view.records : [];
    const values = records.map(formatValue);
    remember(values);
    const message =
      observation.outcome.kind === "cname"
        ? `CNAME ${[ctx.name, ...observation.outcome.chain.map((l) => l.to)].join(" → ")}`
        : view.status === "error"
          ? outcomeMessage(view.outcome)
          : undefined;
    servers.push({
      server: observation.server.label,
      role: "authoritative",
      outcome: observation.outcome.kind,
      values,
      ttl: records.length > 0 ? Math.min(...records.map((r) => r.ttl)) : null,
      ...(message ? { message } : {}),
    });
  }
  const resolver = ctx.evidence.resolver;
  if (resolver) {
    const values = ctx.resolverRecords.map(formatValue);
    remember(values);
    const outcome = resolver.outcome;
    servers.push({
      server: resolver.label,
      role: "resolver",
      outcome: outcome.kind,
      values,
      ttl: outcome.kind === "answer" ? outcome.ttl : outcome.kind === "nxdomain" || outcome.kind === "nodata" ? outcome.negativeTtl : null,
      ...(isErrorOutcome(outcome) ? { message: outcomeMessage(outcome) } : {}),
    });
  }
  return { servers, found };
}

function distinct(diagnoses: Diagnosis[]): Diagnosis[] {
  return diagnoses.filter((d, i) => diagnoses.findIndex((x) => x.code === d.code && x.message === d.message) === i);
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function sortBySeverity(diagnoses: Diagnosis[]): Diagnosis[] {
  return diagnoses
    .map((d, i) => ({ d, i }))
    .sort((a, b) => SEVERITY_ORDER[a.d.severity] - SEVERITY_ORDER[b.d.severity] || a.i - b.i)
    .map((x) => x.d);
}

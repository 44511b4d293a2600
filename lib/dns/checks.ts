import type { AuthoritativeServer, ResolverAnswer, ZoneResult } from "./discovery";
import type { ExpectedRecord } from "./expected";
import { isIpLiteral, normalizeName, relativeName, sameName } from "./names";
import type { Diagnosis, RecordCheck, ServerCheck, Verdict } from "./report";
import type { SpfLookupCount } from "./spf";
import { isSpfRecord, mergeSpfRecords, SPF_LOOKUP_LIMIT, spfIncludeAfterAll, spfIncludes } from "./spf";
import { dkimPublicKey, findConcatenation, hasLiteralQuotes, isDkimRecord, isDmarcRecord, stripLiteralQuotes } from "./txt";
import type { DnsRecord, LookupOutcome } from "./types";
import { isErrorOutcome } from "./types";

/** What one authoritative server said about the expected name. */
export interface AuthObservation {
  server: AuthoritativeServer;
  outcome: LookupOutcome;
  /** When `outcome` is a `cname`: the resolver's answer for the alias target. */
  followed: LookupOutcome | null;
}

export interface DoubledProbe {
  /** e.g. `_x.help.acme.com.acme.com`. */
  name: string;
  /** The suffix that was appended: the zone apex or the domain. */
  suffix: string;
  observations: Array<{ server: AuthoritativeServer; outcome: LookupOutcome }>;
}

/** Everything gathered about one expected record during a run. */
export interface RecordEvidence {
  expected: ExpectedRecord;
  /** ASCII name, or null when the expected name is not a valid DNS name. */
  name: string | null;
  domain: string;
  zone: ZoneResult | null;
  auth: AuthObservation[];
  resolver: ResolverAnswer | null;
  doubled: DoubledProbe[];
  /** Resolver lookups of MX exchanges (A, CNAMEs followed), keyed by normalized exchange. */
  mxTargets: Map<string, LookupOutcome>;
  /** Exchanges of every expected MX at the same name: they do not compete with each other. */
  siblingExchanges: string[];
  /** SPF lookup counts keyed by the exact record text. */
  spfCounts: Map<string, SpfLookupCount>;
  now: Date;
  /** The run's deadline passed before every answer arrived. */
  deadlineHit: boolean;
}

type ServerRecords = { status: "records"; records: DnsRecord[]; outcome: LookupOutcome } | { status: "error"; outcome: LookupOutcome };

const quote = (value: string): string => `\`${value}\``;

function shorten(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max - 12)}…${value.slice(-10)}`;
}

function outcomeMessage(outcome: LookupOutcome): string {
  return "message" in outcome ? outcome.message : outcome.kind;
}

/** The records an authoritative server effectively serves at the name, or why it could not say. */
function effectiveRecords(obs: AuthObservation): ServerRecords {
  const { outcome } = obs;
  switch (outcome.kind) {
    case "answer":
      return { status: "records", records: outcome.records, outcome };
    case "nodata":
    case "nxdomain":
    case "cname_loop":
      return { status: "records", records: [], outcome };
    case "cname": {
      const followed = obs.followed;
      if (!followed) return { status: "records", records: [], outcome };
      if (followed.kind === "answer") return { status: "records", records: followed.records, outcome };
      if (isErrorOutcome(followed)) return { status: "error", outcome: followed };
      return { status: "records", records: [], outcome };
    }
    default:
      return { status: "error", outcome };
  }
}

function typedRecords(expected: ExpectedRecord, records: DnsRecord[]): DnsRecord[] {
  return records.filter((r) => r.type === expected.type);
}

export function formatValue(record: DnsRecord): string {
  switch (record.type) {
    case "TXT":
      return record.value;
    case "MX":
      return `${record.preference} ${record.exchange}`;
    case "A":
    case "AAAA":
      return record.address;
    case "CNAME":
    case "NS":
      return record.target;
    case "SOA":
      return `${record.mname} ${record.rname} ${record.serial}`;
  }
}

function txtValues(records: DnsRecord[]): string[] {
  return records.flatMap((r) => (r.type === "TXT" ? [r.value] : []));
}

/** Does this set of records (one server's answer) satisfy the expected record? */
export function recordsSatisfy(expected: ExpectedRecord, records: DnsRecord[]): boolean {
  const values = txtValues(records);
  switch (expected.kind) {
    case "ownership":
      return values.includes(expected.value);
    case "dkim": {
      const key = dkimPublicKey(expected.value);
      return key !== null && values.some((v) => isDkimRecord(v) && dkimPublicKey(v) === key);
    }
    case "spf": {
      const spf = values.filter(isSpfRecord);
      return spf.length === 1 && spfIncludes(spf[0] ?? "", expected.include);
    }
    case "dmarc":
      return values.filter(isDmarcRecord).length === 1;
    case "mx":
      return records.some((r) => r.type === "MX" && sameName(r.exchange, expected.exchange) && r.preference === expected.preference);
  }
}

/** Would this single value (one TXT record, or a piece of one) satisfy the expected record? */
function valueSatisfies(expected: ExpectedRecord, value: string): boolean {
  if (expected.kind === "mx") return false;
  return recordsSatisfy(expected, [{ type: "TXT", name: "", ttl: 0, strings: [value], value }]);
}

function serverKey(records: DnsRecord[]): string {
  return records
    .map(formatValue)
    .map((v) => v.toLowerCase())
    .sort()
    .join("\n");
}

export function evaluateRecord(ev: RecordEvidence): RecordCheck {
  const { expected } = ev;
  if (ev.name === null) {
    return {
      expected,
      name: expected.name,
      verdict: "failed",
      found: [],
      ttl: null,
      servers: [],
      diagnoses: [
        {
          code: "invalid_name",
          severity: "error",
          message: `"${expected.name}" is not a valid DNS name, so no record can exist there.`,
        },
      ],
    };
  }
  const name = ev.name;
  const zoneApex = ev.zone?.ok ? ev.zone.apex : null;
  const relativeTo = zoneApex ?? ev.domain;
  const rel = relativeName(name, relativeTo);
  const typeLabel = expected.kind === "spf" ? "SPF" : expected.kind === "dkim" ? "DKIM" : expected.kind === "dmarc" ? "DMARC" : expected.type;

  const perServer = ev.auth.map((obs) => ({ obs, view: effectiveRecords(obs) }));
  const definitive = perServer.filter(
    (s): s is { obs: AuthObservation; view: Extract<ServerRecords, { status: "records" }> } => s.view.status === "records",
  );
  const failedServers = perServer.filter((s) => s.view.status === "error");
  const resolverOutcome = ev.resolver?.outcome ?? null;
  const resolverRecords = resolverOutcome?.kind === "answer" ? typedRecords(expected, resolverOutcome.records) : [];

  // --- verdict -------------------------------------------------------------------------
  let verdict: Verdict;
  if (!ev.zone?.ok || definitive.length === 0) verdict = "temporary_failure";
  else if (definitive.every((s) => recordsSatisfy(expected, typedRecords(expected, s.view.records)))) verdict = "verified";
  else verdict = "failed";

  // --- the view diagnoses are computed from -------------------------------------------
  // With disagreeing servers, the most common answer is the one most receivers will see.
  const groups = new Map<string, typeof definitive>();
  for (const s of definitive) {
    const key = serverKey(typedRecords(expected, s.view.records));
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const majority = [...groups.values()].sort((a, b) => b.length - a.length)[0]?.[0];
  const viewRecords = majority ? typedRecords(expected, majority.view.records) : resolverRecords;
  const viewOutcome: LookupOutcome | null = majority ? majority.obs.outcome : resolverOutcome;
  const haveView = majority !== undefined || resolverOutcome?.kind === "answer" || resolverOutcome?.kind === "nodata" || resolverOutcome?.kind === "nxdomain";

  const diagnoses: Diagnosis[] = [];
  const add = (d: Diagnosis): void => {
    if (!diagnoses.some((x) => x.code === d.code && x.message === d.message)) diagnoses.push(d);
  };

  // --- zone and server errors ----------------------------------------------------------
  if (ev.zone && !ev.zone.ok) {
    add(zoneDiagnosis(ev.zone, name));
  }
  const servfails = failedServers.filter((s) => s.view.outcome.kind === "servfail");
  if (servfails.length > 0 || (resolverOutcome?.kind === "servfail" && definitive.length > 0)) {
    const who = servfails.length > 0 ? servfails.map((s) => s.obs.server.label).join(", ") : (ev.resolver?.label ?? "the resolver");
    add({
      code: "servfail",
      severity: "error",
      message:
        servfails.length > 0
          ? `The DNS servers for ${relativeTo} answer SERVFAIL for ${name} (${who}): the record cannot be read, whether or not it is published. This is usually broken DNSSEC — expired signatures, or a DS record at your registrar that does not match the zone's keys. Re-sign the zone at your DNS host or remove the DS record at the registrar.`
          : `${who} answers SERVFAIL for ${name} although the authoritative servers answer normally: DNSSEC validation of ${relativeTo} is failing (expired signatures, or a DS record at your registrar that does not match the zone's keys). Mail servers will not see the record until this is fixed at your DNS host or registrar.`,
      details: { servers: servfails.map((s) => s.obs.server.label) },
    });
  }
  const otherErrors = failedServers.filter((s) => s.view.outcome.kind !== "servfail");
  if (otherErrors.length > 0) {
    add({
      code: "nameserver_error",
      severity: verdict === "temporary_failure" ? "error" : "warning",
      message: `No usable answer from ${otherErrors
        .map((s) => `${s.obs.server.label} (${s.view.outcome.kind.replace("_", " ")})`)
        .join(", ")} for ${name}${
        verdict === "temporary_failure"
          ? ": the check could not be completed; it will be retried."
          : ": mail servers that pick this nameserver may fail to see your records."
      }`,
      details: { errors: otherErrors.map((s) => `${s.obs.server.label}: ${outcomeMessage(s.view.outcome)}`) },
    });
  }
  if (ev.deadlineHit && verdict === "temporary_failure") {
    add({
      code: "deadline_exceeded",
      severity: "error",
      message: `The DNS servers for ${relativeTo} did not answer in time; the check stopped at its deadline and will be retried.`,
    });
  }

  // --- CNAME at the name ---------------------------------------------------------------
  const aliasOutcome = majority?.obs.outcome ?? null;
  const aliased = aliasOutcome !== null && "chain" in aliasOutcome && (aliasOutcome.chain.length > 0 || aliasOutcome.kind === "cname");
  if (aliasOutcome && "chain" in aliasOutcome && aliased) {
    const chain = aliasOutcome.chain;
    const target = aliasOutcome.kind === "cname" ? aliasOutcome.target : (chain[chain.length - 1]?.to ?? "");
    const path = [name, ...chain.map((l) => l.to)].join(" → ");
    if (aliasOutcome.kind === "cname_loop") {
      add({
        code: "cname_at_name",
        severity: "error",
        message: `${name} is a CNAME whose chain ${aliasOutcome.reason === "loop" ? "loops" : "is too long"} (${path}), so no ${typeLabel} record can be found there. Delete the CNAME at ${quote(rel)} and publish the ${typeLabel} record itself.`,
        details: { chain: chain.map((l) => `${l.from} → ${l.to}`) },
      });
    } else {
      const works = verdict === "verified";
      add({
        code: "cname_at_name",
        severity: works ? "info" : "error",
        message: works
          ? `${name} is a CNAME for ${target}; the ${typeLabel} record found there is correct, so this works as long as ${target} keeps it.`
          : `${name} is a CNAME for ${target}, and a CNAME hides every other record at that name. Delete the CNAME at ${quote(rel)} and create the ${typeLabel} record there instead.`,
        details: { target, chain: chain.map((l) => `${l.from} → ${l.to}`) },
      });
    }
  }

  // --- doubled zone suffix -------------------------------------------------------------
  let doubledFound = false;
  for (const probe of ev.doubled) {
    const hits = probe.observations.flatMap((o) => (o.outcome.kind === "answer" ? typedRecords(expected, o.outcome.records) : []));
    if (hits.length === 0) continue;
    doubledFound = true;
    const matches = recordsSatisfy(expected, hits);
    const short = relativeName(name, probe.suffix);
    add({
      code: "doubled_zone_suffix",
      severity: "error",
      message: `Your DNS host added ${probe.suffix} to the name you typed: the record is at ${probe.name}. Enter only ${quote(short)} as the name (names are relative to ${probe.suffix} at most DNS hosts).${
        matches ? "" : ` Its value there is also not the expected one (${[...new Set(hits.map(formatValue))].map((v) => quote(shorten(v))).join(", ")}).`
      }`,
      details: { foundAt: probe.name, enterName: short, values: [...new Set(hits.map(formatValue))] },
    });
  }

  // --- disagreement between authoritative servers ----------------------------------------
  if (groups.size > 1) {
    const parts = definitive.map((s) => {
      const recs = typedRecords(expected, s.view.records);
      const has = recs.length > 0 ? recs.map((r) => quote(shorten(formatValue(r)))).join(", ") : `no ${expected.type} record`;
      return `${s.obs.server.label} has ${has}`;
    });
    add({
      code: "authoritative_disagree",
      severity: "warning",
      message: `The authoritative servers for ${relativeTo} disagree about ${name}: ${parts.join("; ")}. This is usually a change still being copied from the primary to the secondary servers; check again in a few minutes, and if it persists check zone transfers at your DNS host.`,
      details: {
        servers: definitive.map((s) => ({ server: s.obs.server.label, values: typedRecords(expected, s.view.records).map(formatValue) })),
      },
    });
  }

  // --- value diagnoses from the view -------------------------------------------------------
  if (haveView && viewOutcome && !isErrorOutcome(viewOutcome)) {
    // Without an authoritative answer the resolver's copy may be stale: it can show how a
    // value is mistyped, but not that it is missing.
    const ctx = { expected, name, rel, relativeTo, typeLabel, records: viewRecords, quietMissing: doubledFound || aliased || !majority, ev, add };
    if (expected.kind === "mx") mxDiagnoses({ ...ctx, expected });
    else txtDiagnoses({ ...ctx, expected });
  }

  // --- resolver caches -------------------------------------------------------------------
  if (verdict === "verified" && ev.resolver && resolverOutcome) {
    if (resolverOutcome.kind === "nxdomain" || resolverOutcome.kind === "nodata") {
      const ttl = resolverOutcome.negativeTtl;
      const until = ttl !== null ? new Date(ev.now.getTime() + ttl * 1000) : null;
      add({
        code: "resolver_negative_cache",
        severity: "warning",
        message: `The record is published (${definitive.map((s) => s.obs.server.name).join(", ")} answer it), but ${ev.resolver.label} still has a cached "${resolverOutcome.kind === "nxdomain" ? "no such name" : "no such record"}" answer for ${name}${
          until ? ` until ${until.toISOString()} (negative-cache TTL ${ttl} s)` : " until its negative cache expires"
        }. Nothing to change: mail servers using that resolver will see it after that.`,
        details: { resolver: ev.resolver.label, negativeTtl: ttl, expiresAt: until ? until.toISOString() : null },
      });
    } else if (resolverOutcome.kind === "answer" && !recordsSatisfy(expected, resolverRecords)) {
      const ttl = resolverOutcome.ttl;
      add({
        code: "resolver_stale",
        severity: "info",
        message: `${ev.resolver.label} still returns an older value for ${name} (${resolverRecords.map((r) => quote(shorten(formatValue(r)))).join(", ")}), cached for up to ${ttl} s more; the authoritative servers already have the new one.`,
        details: { resolver: ev.resolver.label, ttl },
      });
    }
  }

  // --- the table: servers, found, ttl ------------------------------------------------------
  const servers: ServerCheck[] = [];
  const found: string[] = [];
  const remember = (values: string[]): void => {
    for (const v of values) if (!found.includes(v)) found.push(v);
  };
  for (const { obs, view } of perServer) {
    const recs = view.status === "records" ? typedRecords(expected, view.records) : [];
    const values = recs.map(formatValue);
    remember(values);
    const message =
      obs.outcome.kind === "cname"
        ? `CNAME ${[name, ...obs.outcome.chain.map((l) => l.to)].join(" → ")}`
        : view.status === "error"
          ? outcomeMessage(view.outcome)
          : undefined;
    servers.push({
      server: obs.server.label,
      role: "authoritative",
      outcome: obs.outcome.kind,
      values,
      ttl: recs.length > 0 ? Math.min(...recs.map((r) => r.ttl)) : null,
      ...(message ? { message } : {}),
    });
  }
  if (ev.resolver) {
    const values = resolverRecords.map(formatValue);
    remember(values);
    const outcome = ev.resolver.outcome;
    servers.push({
      server: ev.resolver.label,
      role: "resolver",
      outcome: outcome.kind,
      values,
      ttl: outcome.kind === "answer" ? outcome.ttl : outcome.kind === "nxdomain" || outcome.kind === "nodata" ? outcome.negativeTtl : null,
      ...(isErrorOutcome(outcome) ? { message: outcomeMessage(outcome) } : {}),
    });
  }
  const answeredTtls = definitive.flatMap((s) => typedRecords(expected, s.view.records).map((r) => r.ttl));
  return {
    expected,
    name,
    verdict,
    found,
    ttl: answeredTtls.length > 0 ? Math.min(...answeredTtls) : null,
    servers,
    diagnoses: sortDiagnoses(diagnoses),
  };
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function sortDiagnoses(diagnoses: Diagnosis[]): Diagnosis[] {
  return diagnoses.map((d, i) => ({ d, i })).sort((a, b) => SEVERITY_ORDER[a.d.severity] - SEVERITY_ORDER[b.d.severity] || a.i - b.i).map((x) => x.d);
}

export function zoneDiagnosis(zone: Extract<ZoneResult, { ok: false }>, name: string): Diagnosis {
  if (zone.outcome?.kind === "servfail") {
    return {
      code: "servfail",
      severity: "error",
      message: `Looking up the DNS servers of ${zone.name} fails with SERVFAIL, so no record under it can be read (${name} included). This is usually broken DNSSEC — expired signatures, or a DS record at your registrar that does not match the zone's keys. Re-sign the zone at your DNS host or remove the DS record at the registrar.`,
      details: { name: zone.name },
    };
  }
  const advice =
    zone.reason === "nxdomain"
      ? "Check that the domain is registered and spelled correctly."
      : zone.reason === "no_nameservers"
        ? "Check the NS records at your registrar."
        : "The check will be retried.";
  return {
    code: "zone_discovery_failed",
    severity: "error",
    message: `Could not find the authoritative DNS servers for ${name}: ${zone.message}. ${advice}`,
    details: { reason: zone.reason },
  };
}

interface DiagnosisContext<E extends ExpectedRecord> {
  expected: E;
  name: string;
  rel: string;
  relativeTo: string;
  typeLabel: string;
  records: DnsRecord[];
  /** Skip "missing"/"mismatch" advice: the doubled-suffix diagnosis or missing authority already explains. */
  quietMissing: boolean;
  ev: RecordEvidence;
  add: (d: Diagnosis) => void;
}

function txtDiagnoses(ctx: DiagnosisContext<Exclude<ExpectedRecord, { kind: "mx" }>>): void {
  const { expected, name, rel, relativeTo, typeLabel, records, add } = ctx;
  const txt = records.flatMap((r) => (r.type === "TXT" ? [r] : []));
  const values = txt.map((r) => r.value);
  const satisfied = recordsSatisfy(expected, records);
  let explained = false;

  // Strings of one record: receivers join them, the admin may not know that.
  for (const record of txt) {
    if (record.strings.length < 2) continue;
    if (valueSatisfies(expected, record.value) && !record.strings.some((s) => valueSatisfies(expected, s))) {
      add({
        code: "txt_split",
        severity: "info",
        message: `The ${typeLabel} value at ${name} is split into ${record.strings.length} strings of one TXT record; receivers join them, so it matches. Nothing to change.`,
        details: { strings: record.strings },
      });
    } else if (!valueSatisfies(expected, record.value) && valueSatisfies(expected, record.strings.join(" "))) {
      explained = true;
      add({
        code: "txt_split",
        severity: "error",
        message: `The ${typeLabel} record at ${name} is split into ${record.strings.length} strings that receivers join without spaces, giving ${quote(shorten(record.value))}. Add a space at the end of each string except the last, or publish the value as one string.`,
        details: { strings: record.strings, joined: record.value },
      });
    }
  }
  if (!satisfied) {
    // Separate records instead of strings of one record: each is read on its own.
    const order = findConcatenation(expected.value, values);
    const key = expected.kind === "dkim" ? dkimPublicKey(expected.value) : null;
    const keyOrder = key
      ? findConcatenation(
          key,
          values.map((v) => (v.includes("p=") ? (dkimPublicKey(v) ?? v) : v.replace(/\s+/g, ""))),
        )
      : null;
    const pieces = order ?? keyOrder;
    if (pieces) {
      explained = true;
      add({
        code: "txt_split",
        severity: "error",
        message: `The ${typeLabel} value at ${name} was entered as ${pieces.length} separate TXT records; receivers read each record on its own, so none of them matches. Delete them and create one TXT record ${quote(rel)} with the whole value (your DNS host splits long values into strings of one record by itself).`,
        details: { records: pieces.map((i) => values[i] ?? "") },
      });
    }
    for (const value of values) {
      if (!hasLiteralQuotes(value)) continue;
      const stripped = stripLiteralQuotes(value);
      if (valueSatisfies(expected, stripped) || recordsSatisfy(expected, txt.map((r) => (r.value === value ? { ...r, value: stripped, strings: [stripped] } : r)))) {
        explained = true;
        add({
          code: "txt_quoted",
          severity: "error",
          message: `The TXT record at ${name} contains quote characters: ${quote(shorten(value))}. Receivers see the quotes, so it does not match. Edit the record at your DNS host and remove the quotes (enter only ${quote(shorten(stripped))}).`,
          details: { found: value, withoutQuotes: stripped },
        });
      }
    }
  }

  if (expected.kind === "spf") {
    const spf = values.filter(isSpfRecord);
    if (spf.length > 1) {
      explained = true;
      const merged = mergeSpfRecords(spf, expected.include);
      add({
        code: "multiple_spf",
        severity: "error",
        message: `${name} has ${spf.length} SPF records (${spf.map((v) => quote(shorten(v))).join(", ")}); receivers treat more than one as a permanent error and ignore SPF entirely. Merge them into one TXT record: ${quote(merged)}.`,
        details: { records: spf, merged },
      });
    } else if (spf.length === 1) {
      const only = spf[0] ?? "";
      if (!spfIncludes(only, expected.include)) {
        explained = true;
        const merged = mergeSpfRecords([only], expected.include);
        add({
          code: "value_mismatch",
          severity: "error",
          message: `The SPF record at ${name} (${quote(shorten(only, 120))}) does not include include:${normalizeName(expected.include)}. Change it to ${quote(merged)}.`,
          details: { found: only, suggested: merged },
        });
      } else if (spfIncludeAfterAll(only, expected.include)) {
        add({
          code: "spf_include_after_all",
          severity: "warning",
          message: `In the SPF record at ${name}, include:${normalizeName(expected.include)} comes after the "all" mechanism, where receivers stop reading. Move it before "all": ${quote(mergeSpfRecords([only], expected.include))}.`,
        });
      }
      const count = ctx.ev.spfCounts.get(only);
      if (count && count.lookups > SPF_LOOKUP_LIMIT) {
        const top = count.contributors.slice(0, 3).map((c) => `${c.term} (${c.lookups})`);
        add({
          code: "spf_too_many_lookups",
          severity: "error",
          message: `The SPF record at ${name} needs ${count.complete ? "" : "at least "}${count.lookups} DNS lookups; receivers stop at ${SPF_LOOKUP_LIMIT} and treat SPF as failed. The biggest contributors are ${top.join(", ")}: remove includes you no longer use, or replace them with ip4:/ip6: ranges.`,
          details: { lookups: count.lookups, contributors: count.contributors.map((c) => ({ term: c.term, lookups: c.lookups })), problems: count.problems },
        });
      }
    }
  }
  if (expected.kind === "dmarc") {
    const dmarc = values.filter(isDmarcRecord);
    if (dmarc.length > 1) {
      explained = true;
      add({
        code: "value_mismatch",
        severity: "warning",
        message: `${name} has ${dmarc.length} DMARC records; receivers ignore DMARC when there is more than one. Keep only one, e.g. ${quote(expected.value)}.`,
      });
    }
  }

  if (satisfied || explained || ctx.quietMissing) return;
  const severity = expected.kind === "dmarc" ? "warning" : "error";
  const relevant = expected.kind === "spf" ? values.filter(isSpfRecord) : expected.kind === "dkim" ? values.filter(isDkimRecord) : values;
  if (relevant.length === 0 || (expected.kind === "ownership" && values.length === 0)) {
    add({
      code: "record_missing",
      severity,
      message: `No ${typeLabel} record found at ${name}. At the DNS host for ${relativeTo}, add a TXT record with name ${quote(rel)} and value ${quote(shorten(expected.value, 120))}.`,
      details: { name, enterName: rel, value: expected.value, otherValues: values },
    });
    return;
  }
  if (expected.kind === "dkim") {
    const want = dkimPublicKey(expected.value) ?? "";
    const keys = relevant.map((v) => dkimPublicKey(v) ?? "");
    const truncated = keys.find((k) => k.length > 0 && k.length < want.length && want.startsWith(k));
    add({
      code: "value_mismatch",
      severity,
      message: truncated
        ? `The DKIM key at ${name} is cut short (${truncated.length} of ${want.length} characters of the key): some DNS hosts truncate long values. Paste the whole value ${quote(shorten(expected.value))} again, or ask your DNS host how to enter long TXT values.`
        : `The DKIM record at ${name} has a different public key (${keys.map((k) => quote(`p=${shorten(k, 30)}`)).join(", ")}) than the expected ${quote(`p=${shorten(want, 30)}`)}. Replace its value with ${quote(shorten(expected.value))}.`,
      details: { found: relevant, expectedKey: want },
    });
    return;
  }
  add({
    code: "value_mismatch",
    severity,
    message: `The TXT record${values.length > 1 ? "s" : ""} at ${name} ${values.length > 1 ? "have" : "has"} ${values.map((v) => quote(shorten(v))).join(", ")}, not the expected ${quote(shorten(expected.value))}. Add a TXT record with name ${quote(rel)} and the expected value (other TXT records there can stay).`,
    details: { found: values, expected: expected.value },
  });
}

function mxDiagnoses(ctx: DiagnosisContext<Extract<ExpectedRecord, { kind: "mx" }>>): void {
  const { expected, name, rel, relativeTo, records, add, ev } = ctx;
  const mx = records.flatMap((r) => (r.type === "MX" ? [r] : []));
  const ours = normalizeName(expected.exchange);
  const siblings = new Set([ours, ...ev.siblingExchanges.map(normalizeName)]);
  const satisfied = recordsSatisfy(expected, records);

  for (const r of mx) {
    if (isIpLiteral(r.exchange)) {
      add({
        code: "mx_target_ip",
        severity: "error",
        message: `An MX record at ${name} points to the IP address ${r.exchange}; an MX must name a host, so senders skip it. Replace it with an MX record to ${ours} (preference ${expected.preference}).`,
        details: { exchange: r.exchange },
      });
    }
  }
  for (const r of mx) {
    const target = ev.mxTargets.get(r.exchange);
    if (!target || target.kind !== "answer" || target.chain.length === 0) continue;
    const alias = target.chain[target.chain.length - 1]?.to ?? "";
    const hidesOurs = sameName(alias, ours) || target.chain.some((l) => sameName(l.to, ours));
    add({
      code: "mx_target_cname",
      severity: hidesOurs ? "error" : "warning",
      message: `The MX target ${r.exchange} at ${name} is a CNAME for ${alias}; MX targets must not be aliases (RFC 2181 §10.3) and some senders refuse them. Point the MX record directly to ${hidesOurs ? ours : alias}.`,
      details: { exchange: r.exchange, target: alias },
    });
  }
  const competing = mx.filter((r) => !siblings.has(r.exchange) && r.preference <= expected.preference);
  if (competing.length > 0 && mx.some((r) => r.exchange === ours)) {
    add({
      code: "competing_mx",
      severity: "warning",
      message: `${name} also has ${competing.map((r) => `MX ${r.exchange} with preference ${r.preference}`).join(", ")}, equal to or better (lower) than ${expected.preference} for ${ours}: mail may be delivered there instead. Remove ${competing.length > 1 ? "them" : "it"} if ${competing.length > 1 ? "they" : "it"} should no longer receive mail for ${relativeTo}.`,
      details: { competing: competing.map((r) => `${r.preference} ${r.exchange}`) },
    });
  }
  if (satisfied || ctx.quietMissing) return;
  const sameHost = mx.filter((r) => r.exchange === ours);
  if (sameHost.length > 0) {
    add({
      code: "mx_preference_mismatch",
      severity: "error",
      message: `The MX record for ${ours} at ${name} has preference ${sameHost.map((r) => r.preference).join(", ")}, not ${expected.preference}. Change its preference (priority) to ${expected.preference}.`,
      details: { found: sameHost.map((r) => r.preference), expected: expected.preference },
    });
    return;
  }
  if (mx.some((r) => isIpLiteral(r.exchange))) return;
  if (mx.length === 0) {
    add({
      code: "record_missing",
      severity: "error",
      message: `No MX records found at ${name}. At the DNS host for ${relativeTo}, add an MX record with name ${quote(rel)}, mail server ${quote(ours)} and preference ${expected.preference}.`,
      details: { name, enterName: rel, exchange: ours, preference: expected.preference },
    });
    return;
  }
  add({
    code: "value_mismatch",
    severity: "error",
    message: `${name} has MX ${mx.map((r) => quote(`${r.preference} ${r.exchange}`)).join(", ")} but none to ${ours}. Add an MX record with name ${quote(rel)}, mail server ${quote(ours)} and preference ${expected.preference}.`,
    details: { found: mx.map((r) => `${r.preference} ${r.exchange}`) },
  });
}

import "server-only";

import { groupVerdict, verifyDomainRecords, type RecordCheck, type VerificationReport, type VerifyOptions } from "@/lib/dns";
import type { Database, Prisma } from "@/lib/db/client";
import { retireDueKeys } from "@/lib/domains/dkim/key-records";
import { LIVE_KEY_STATES, selfTestKeys, type KeyTestResult, type KeyUnderTest } from "@/lib/domains/dkim/key-tests";
import { keptTestMessage, type SignedTestMessage } from "@/lib/domains/dkim/self-test";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";
import { describeDomainEvent, type MissingRecord } from "./status-messages";
import { createNotification } from "@/lib/notifications/commands";
import { queueWebhookEvent } from "@/lib/notifications/webhooks/deliveries";
import { isUuid } from "@/lib/validation/uuid";

import { nextCheckAt, type MonitoringSettings } from "./check-schedule";
import { expectedFromStored, type StoredRecord } from "./expected-records";
import { enqueueAfterCheck } from "./follow-ups";
import { mailDiversion } from "./record-status";
import { nextDomainState, type DomainState, type DomainStatus, type StatusEvent, type StatusPolicy } from "./status";

export type CheckTrigger = "manual" | "wizard" | "scheduled" | "cli";

/** How many past runs each domain keeps (the domain page shows the latest; history explains changes). */
const CHECK_HISTORY = 50;

export type Expectation = Awaited<ReturnType<typeof loadExpectation>>;

/** A DKIM key as the self-test reads it (a live one: pending, active or retiring). */
interface LiveKey {
  id: string;
  selector: string;
  publicKey: string;
  privateKeySealed: string | null;
  state: (typeof LIVE_KEY_STATES)[number];
  retireAfter: Date | null;
  /** The self-test's kept signed message. */
  signed: SignedTestMessage | null;
}

/** The columns of a domain a check decides its new state from, as both of its reads return them. */
interface DomainStateRow {
  organization_id: string;
  kind: "custom" | "platform";
  name: string;
  display_name: string;
  status: DomainStatus;
  verification_started_at: Date;
  grace_started_at: Date | null;
  verified_at: Date | null;
}

function domainState(row: DomainStateRow) {
  return {
    organizationId: row.organization_id,
    kind: row.kind,
    name: row.name,
    displayName: row.display_name,
    status: row.status,
    verificationStartedAt: row.verification_started_at,
    graceStartedAt: row.grace_started_at,
    verifiedAt: row.verified_at,
  };
}

/**
 * What a check needs, in one statement (a re-check reads it for every domain, thousands an hour):
 * the domain's status and schedule, its records in check order (without their last results, which
 * the check replaces), and its live DKIM keys for the self-test.
 */
export async function loadExpectation(db: Database, organizationId: string | null, domainId: string) {
  const rows = isUuid(domainId)
    ? await db.$queryRaw<
        (DomainStateRow & {
          id: string;
          next_check_at: Date | null;
          records: (StoredRecord & { id: string; position: number; type: string; dkimKeyId: string | null })[];
          keys: (Omit<LiveKey, "retireAfter" | "signed"> & { retireAfter: string | null; signedMessage: string | null; signedAt: string | null })[];
        })[]
      >`/* prepared */
        SELECT d.id::text, d.organization_id::text, d.kind::text, d.name, d.display_name, d.status::text,
               d.verification_started_at, d.verified_at, d.grace_started_at, d.next_check_at,
               COALESCE((SELECT json_agg(json_build_object('id', r.id, 'kind', r.kind, 'position', r.position, 'type', r.type, 'name', r.name,
                                                           'value', r.value, 'preference', r.preference, 'spfInclude', r.spf_include,
                                                           'required', r.required, 'dkimKeyId', r.dkim_key_id) ORDER BY r.position)
                           FROM domain_records r WHERE r.domain_id = d.id), '[]'::json) AS records,
               COALESCE((SELECT json_agg(json_build_object('id', k.id, 'selector', k.selector, 'publicKey', k.public_key,
                                                           'privateKeySealed', k.private_key_sealed, 'state', k.state, 'retireAfter', k.retire_after,
                                                           'signedMessage', k.self_test_message, 'signedAt', k.self_test_signed_at))
                           FROM dkim_keys k WHERE k.domain_id = d.id AND k.state::text = ANY(${[...LIVE_KEY_STATES]}::text[])), '[]'::json) AS keys
          FROM domains d
         WHERE d.id = ${domainId}::uuid AND (${organizationId}::uuid IS NULL OR d.organization_id = ${organizationId}::uuid)`
    : [];
  const row = rows[0];
  if (!row) throw new NotFoundError("This domain does not exist, or it was deleted.");
  const domain = { id: row.id, ...domainState(row), nextCheckAt: row.next_check_at, records: row.records };
  const keys: LiveKey[] = row.keys.map(({ signedMessage, signedAt, ...key }) => ({
    ...key,
    retireAfter: key.retireAfter === null ? null : new Date(key.retireAfter),
    signed: keptTestMessage(signedMessage, signedAt),
  }));
  return { domain, keys, input: { domain: domain.name, records: domain.records.map(expectedFromStored) } };
}

export interface VerificationOutcome {
  report: VerificationReport;
  event: StatusEvent | null;
  status: string;
  /** When the background checker looks again (null: it does not — platform domain, or verification gave up). */
  nextCheckAt: Date | null;
}

export interface VerifyAndRecordOptions extends VerifyOptions {
  /** Status rules; `monitoring.policy` unless given (tests). */
  policy?: StatusPolicy;
  /** Status rules and re-check intervals (CHECK_* configuration, lib/domains/check-schedule.ts). */
  monitoring: MonitoringSettings;
  /** Jitter source for the verified re-check interval (tests pass a fixed one). */
  random?: () => number;
  /** Opens the DKIM private keys for the self-test (SECRETS_KEY). */
  secretsKey: string | undefined;
  /** The domain and its records as the caller just read them (loadExpectation), so they are not read twice. */
  expectation?: Expectation;
}

interface LockedDomain extends DomainState {
  organizationId: string;
  kind: "custom" | "platform";
  name: string;
  displayName: string;
}

/**
 * Checks a domain's records over DNS and stores the outcome: each record's verdict and what was
 * found, the run in the domain's history, the domain's status (lib/domains/status.ts), when it is
 * checked next, and — when the status changed — a notification and a webhook delivery. Whatever
 * triggered the check (the admin, the wizard, the background worker, the CLI), the same happens.
 * `organizationId` scopes the lookup (null only for the background checker and operator CLI).
 *
 * The DNS queries run outside any transaction; their outcome is applied under a lock on the
 * domain's row, to the status as it is at that moment. Two checks of one domain finishing together
 * (a worker and an admin's "Check now") therefore change the status — and notify — only once.
 */
export async function verifyAndRecord(
  db: Database,
  organizationId: string | null,
  domainId: string,
  trigger: CheckTrigger,
  options: VerifyAndRecordOptions,
): Promise<VerificationOutcome> {
  const { domain, keys, input } = options.expectation ?? (await loadExpectation(db, organizationId, domainId));
  // The DKIM self-test asks the resolvers for the key's record itself: it runs alongside the
  // check's queries rather than after them, so a check costs the DNS round trips of one run.
  const engine = verifyDomainRecords(input, options);
  const selfTesting = selfTestDkimKeys(domain, keys, engine, options.now?.() ?? new Date(), options);
  // Awaited below; until then a failure (the database gone) must not count as unhandled.
  selfTesting.catch(() => undefined);
  const engineReport = await engine;
  const now = options.now?.() ?? new Date();
  const settings = options.monitoring;
  const policy = options.policy ?? settings.policy;
  const { tests: selfTests, retiringUntil } = await selfTesting;
  const { report, verdicts } = joinSelfTests(engineReport, domain.records, selfTests);

  const results = { domainId: domain.id, records: domain.records, checks: engineReport.checks, verdicts, now, trigger, report, selfTests };
  // Only when a retiring key's time has come (or the keys were not read): otherwise there is nothing to find.
  const retiring = !retiringUntil || retiringUntil.some((at) => at.getTime() <= now.getTime());

  // Most checks — every re-check of a domain whose records are as they were — change nothing but
  // their own results. Such a check is stored in one statement, on condition that the domain's
  // status is still the one it was decided from (PostgreSQL re-reads the row under its lock when it
  // updates it): if another check or an admin changed it meanwhile, nothing is written and the
  // check is applied below, under the lock, to the status as it is then.
  let applied: { change: ReturnType<typeof nextDomainState>; previous: DomainStatus; next: Date | null; deliveries: { id: string; at: Date }[] } | null = null;
  if (!retiring) {
    const read: LockedDomain = domain;
    const change = nextDomainState(read, report.summary, now, policy);
    if (!change.event) {
      const next = nextCheckAt({ ...read, ...change }, now, { ...settings, policy }, options.random);
      if (await storeCheck(db, { ...results, current: read, change, next }, { ifStill: read })) {
        applied = { change, previous: read.status, next, deliveries: [] };
      }
    }
  }

  applied ??= await db.$transaction(async (tx) => {
    const current = await lockDomain(tx, domain.id);
    if (!current) throw new NotFoundError("This domain was deleted while it was being checked.");
    const change = nextDomainState(current, report.summary, now, policy);
    const next = nextCheckAt({ ...current, ...change }, now, { ...settings, policy }, options.random);
    if (retiring) {
      await retireDueKeys(tx, { id: domain.id, organizationId: current.organizationId, name: current.name, displayName: current.displayName }, now);
    }
    await storeCheck(tx, { ...results, current, change, next });
    const deliveries = change.event
      ? await announceStatusChange(tx, { domainId: domain.id, current, change, event: change.event, report, trigger, now, next, settings, policy })
      : [];
    return { change, previous: current.status, next, deliveries };
  });

  if (applied.change.event) {
    log.info(
      { domainId: domain.id, domain: domain.name, trigger, from: applied.previous, to: applied.change.status, event: applied.change.event },
      "domain status changed",
    );
  }
  await enqueueAfterCheck(domain.id, applied.next, applied.deliveries);
  return { report, event: applied.change.event, status: applied.change.status, nextCheckAt: applied.next };
}

/**
 * Each DKIM key is self-tested against its record (signed here, verified as receivers do): a DKIM
 * record is verified only when both the DNS engine and the self-test say so. Returns the report
 * with the sending and overall verdicts joined that way, and each record's joined verdict.
 */
function joinSelfTests(
  engineReport: VerificationReport,
  records: readonly { id: string }[],
  selfTests: readonly KeyTestResult[],
): { report: VerificationReport; verdicts: RecordCheck["verdict"][] } {
  const testedRecords = new Map(selfTests.map((test) => [test.recordId, test]));
  const checks = engineReport.checks.map((check, index): RecordCheck => {
    const test = testedRecords.get(records[index]?.id ?? "");
    return test && test.recordVerdict !== "pending" ? { ...check, verdict: test.recordVerdict } : check;
  });
  const summary = {
    ...engineReport.summary,
    sending: groupVerdict(checks.filter((check) => check.expected.kind === "spf" || check.expected.kind === "dkim")),
    overall: groupVerdict(checks),
  };
  return { report: { ...engineReport, summary }, verdicts: checks.map((check) => check.verdict) };
}

/**
 * What a check leaves behind, in one statement (a re-check runs it for every domain, thousands an
 * hour): every record's verdict and the engine's check of it, each self-tested key's result, the
 * domain's status and schedule, and the run in the domain's history, keeping the latest
 * CHECK_HISTORY runs. A record or key removed since it was read (a key change) is simply not
 * matched. The trim does not see the run inserted by the same statement, so it keeps one fewer of
 * the older ones.
 *
 * With `ifStill`, nothing is written unless the domain's row still holds that state (the one the
 * change was decided from); returns whether it was written.
 */
async function storeCheck(
  db: Database | Prisma.TransactionClient,
  check: {
    domainId: string;
    records: readonly { id: string }[];
    checks: readonly RecordCheck[];
    verdicts: readonly RecordCheck["verdict"][];
    current: LockedDomain;
    change: ReturnType<typeof nextDomainState>;
    now: Date;
    next: Date | null;
    trigger: CheckTrigger;
    report: VerificationReport;
    selfTests: readonly KeyTestResult[];
  },
  { ifStill }: { ifStill?: DomainState } = {},
): Promise<boolean> {
  const { domainId, current, change, now, next, report, selfTests } = check;
  const rows = check.records.flatMap((record, index) => {
    const recordCheck = check.checks[index];
    const verdict = check.verdicts[index];
    return recordCheck && verdict ? [{ id: record.id, verdict, check: JSON.stringify(recordCheck) }] : [];
  });
  const statusChanged = change.status !== current.status;
  // Without a condition the row is already locked by the caller's transaction: it always matches.
  const guarded = ifStill !== undefined;
  const result = await db.$queryRaw<{ applied: boolean }[]>`/* prepared */
    WITH domain AS (
      UPDATE domains
         SET last_checked_at = ${now}, next_check_at = ${next}, status = ${change.status}::domain_status,
             verified_at = ${change.verifiedAt}, grace_started_at = ${change.graceStartedAt},
             status_changed_at = CASE WHEN ${statusChanged} THEN ${now} ELSE status_changed_at END,
             updated_at = ${now}
       WHERE id = ${domainId}::uuid
         AND (NOT ${guarded}
              OR (status = ${ifStill?.status ?? null}::domain_status
                  AND verification_started_at = ${ifStill?.verificationStartedAt ?? null}::timestamptz
                  AND verified_at IS NOT DISTINCT FROM ${ifStill?.verifiedAt ?? null}::timestamptz
                  AND grace_started_at IS NOT DISTINCT FROM ${ifStill?.graceStartedAt ?? null}::timestamptz))
      RETURNING id
    ), records AS (
      UPDATE domain_records AS r
         SET verdict = v.verdict::record_verdict, last_checked_at = ${now}, last_check = v.last_check::jsonb,
             last_verified_at = CASE WHEN v.verdict = 'verified' THEN ${now} ELSE r.last_verified_at END
        FROM unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.verdict)}::text[], ${rows.map((row) => row.check)}::text[])
             AS v(id, verdict, last_check)
       WHERE r.id = v.id AND EXISTS (SELECT 1 FROM domain)
    ), keys AS (
      UPDATE dkim_keys AS k
         SET self_test_outcome = t.outcome, self_test_code = t.code, self_test_detail = t.detail, self_tested_at = t.tested_at,
             self_test_message = CASE WHEN t.keep_signed THEN k.self_test_message ELSE t.signed_message END,
             self_test_signed_at = CASE WHEN t.keep_signed THEN k.self_test_signed_at ELSE t.signed_at END
        FROM unnest(${selfTests.map((test) => test.keyId)}::uuid[], ${selfTests.map((test) => test.outcome)}::text[],
                    ${selfTests.map((test) => test.code)}::text[], ${selfTests.map((test) => test.detail)}::text[],
                    ${selfTests.map((test) => test.testedAt)}::timestamptz[], ${selfTests.map((test) => test.signed === undefined)}::boolean[],
                    ${selfTests.map((test) => test.signed?.message ?? null)}::text[], ${selfTests.map((test) => test.signed?.signedAt ?? null)}::timestamptz[])
             AS t(id, outcome, code, detail, tested_at, keep_signed, signed_message, signed_at)
       -- Not a key this check's transaction has just retired (retireDueKeys): it keeps nothing.
       WHERE k.id = t.id AND k.state::text = ANY(${[...LIVE_KEY_STATES]}::text[]) AND EXISTS (SELECT 1 FROM domain)
    ), run AS (
      INSERT INTO domain_checks (domain_id, trigger, started_at, finished_at, ownership, inbound, sending, report)
      SELECT ${domainId}::uuid, ${check.trigger}, ${new Date(report.startedAt)}, ${new Date(report.finishedAt)},
             ${report.summary.ownership}::record_verdict, ${report.summary.inbound}::record_verdict, ${report.summary.sending}::record_verdict,
             ${JSON.stringify({ ...report, dkimSelfTests: selfTests.map(({ signed: _signed, ...test }) => test) })}::jsonb
       WHERE EXISTS (SELECT 1 FROM domain)
    ), trimmed AS (
      DELETE FROM domain_checks
       WHERE id IN (SELECT id FROM domain_checks WHERE domain_id = ${domainId}::uuid ORDER BY started_at DESC OFFSET ${CHECK_HISTORY - 1})
         AND EXISTS (SELECT 1 FROM domain)
    )
    SELECT EXISTS (SELECT 1 FROM domain) AS applied`;
  return result[0]?.applied === true;
}

/**
 * A status change is told to the organisation's admins (a notification) and to its webhook (a
 * delivery queued in the same transaction; returned so it is queued once the transaction commits).
 */
async function announceStatusChange(
  tx: Prisma.TransactionClient,
  change: {
    domainId: string;
    current: LockedDomain;
    change: ReturnType<typeof nextDomainState>;
    event: StatusEvent;
    report: VerificationReport;
    trigger: CheckTrigger;
    now: Date;
    next: Date | null;
    settings: MonitoringSettings;
    policy: StatusPolicy;
  },
): Promise<{ id: string; at: Date }[]> {
  const { domainId, current, event, report, now, settings, policy } = change;
  const missing = missingRecords(report);
  const message = describeDomainEvent(event, {
    domain: current.displayName,
    missing,
    gracePeriodMs: policy.graceHours * 3_600_000,
    graceIntervalMs: settings.schedule.graceEveryMs,
    pendingTimeoutMs: policy.pendingTimeoutHours * 3_600_000,
    diversion: mailDiversion(
      report.checks.map((check) => ({
        kind: check.expected.kind,
        value: check.expected.kind === "mx" ? check.expected.exchange : check.expected.name,
        found: check.found,
        verdict: check.verdict,
        diagnoses: check.diagnoses,
      })),
    ),
  });
  await createNotification(tx, { organizationId: current.organizationId, domainId, kind: `domain.${event}`, ...message, createdAt: now });
  const delivery = await queueWebhookEvent(tx, {
    organizationId: current.organizationId,
    type: `domain.${event}`,
    now,
    data: {
      domain: { id: domainId, name: current.name, displayName: current.displayName, status: change.change.status, previousStatus: current.status },
      trigger: change.trigger,
      checkedAt: now.toISOString(),
      nextCheckAt: change.next?.toISOString() ?? null,
      summary: report.summary,
      missingRecords: missing,
      message,
    },
  });
  return delivery ? [delivery] : [];
}

/**
 * The domain's published (and to-be-published) keys, each tested against the check of its record:
 * whenever DNS answered, found or not, so the result shown is never older than the record's verdict.
 */
async function selfTestDkimKeys(
  domain: { id: string; name: string; records: { id: string; dkimKeyId: string | null }[] },
  live: readonly LiveKey[],
  engine: Promise<VerificationReport>,
  now: Date,
  options: VerifyAndRecordOptions,
): Promise<{ tests: KeyTestResult[]; retiringUntil: Date[] | null }> {
  const keyIds = domain.records.flatMap((record) => (record.dkimKeyId ? [record.dkimKeyId] : []));
  // No key read: whether one is due to retire is not known here.
  if (keyIds.length === 0) return { tests: [], retiringUntil: null };
  // All the domain's live keys (read with the domain): those with a record are tested; when the
  // retiring ones are due tells the transaction whether retireDueKeys has anything to do (a
  // retiring key keeps its record until then).
  const retiringUntil = live.flatMap((key) => (key.state === "retiring" ? [key.retireAfter ?? new Date(0)] : []));
  const keys = live.filter((key) => keyIds.includes(key.id));
  const byId = new Map(keys.map((key) => [key.id, key]));
  const checkOf = (index: number) => engine.then((report) => report.checks[index] ?? null);
  const targets = domain.records.flatMap((record, index): KeyUnderTest[] => {
    const key = record.dkimKeyId ? byId.get(record.dkimKeyId) : undefined;
    return key ? [{ recordId: record.id, key, dns: checkOf(index) }] : [];
  });
  const tested = await selfTestKeys(domain.name, targets, {
    resolvers: options.resolvers,
    timeoutMs: options.timeoutMs ?? 1500,
    deadlineMs: options.deadlineMs ?? 8000,
    now,
    secretsKey: options.secretsKey,
  });
  // When the check's DNS failed to answer, the self-test's answer is no better: it is not kept.
  const report = await engine;
  const answered = new Set(
    domain.records.flatMap((record, index) => {
      const check = report.checks[index];
      return check && check.verdict !== "temporary_failure" ? [record.id] : [];
    }),
  );
  return { tests: tested.filter((test) => answered.has(test.recordId)), retiringUntil };
}

async function lockDomain(tx: Prisma.TransactionClient, domainId: string): Promise<LockedDomain | null> {
  const rows = await tx.$queryRaw<DomainStateRow[]>`SELECT organization_id::text, kind::text, name, display_name, status::text, verification_started_at, grace_started_at, verified_at
      FROM domains WHERE id = ${domainId}::uuid FOR UPDATE`;
  const row = rows[0];
  return row ? domainState(row) : null;
}

/**
 * Records that receiving depends on (ownership, MX) and that a definite DNS answer says are absent
 * or wrong: what moved the status, and what the admin must fix.
 */
function missingRecords(report: VerificationReport): MissingRecord[] {
  return report.checks
    .filter((check) => (check.expected.kind === "ownership" || check.expected.kind === "mx") && check.verdict === "failed")
    .map((check) => ({ kind: check.expected.kind, type: check.expected.type, name: check.expected.name }));
}

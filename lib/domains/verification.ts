import "server-only";

import { groupVerdict, verifyDomainRecords, type RecordCheck, type VerificationReport, type VerifyOptions } from "@/lib/dns";
import { getConfig } from "@/lib/config/env";
import type { Database, Prisma } from "@/lib/db/client";
import { retireDueKeys } from "@/lib/dkim/key-records";
import { LIVE_KEY_STATES, selfTestKeys, storeKeyTests, type KeyTestResult, type KeyUnderTest } from "@/lib/dkim/key-tests";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";
import { describeDomainEvent, type MissingRecord } from "@/lib/notifications/messages";
import { createNotification } from "@/lib/notifications/notifications";
import { queueWebhookEvent } from "@/lib/webhooks/deliveries";

import { monitoringSettingsFrom, nextCheckAt, type MonitoringSettings } from "./check-schedule";
import { expectedFromStored } from "./expected-records";
import { enqueueAfterCheck } from "./follow-ups";
import { nextDomainState, type DomainState, type DomainStatus, type StatusEvent, type StatusPolicy } from "./status";

export type CheckTrigger = "manual" | "wizard" | "scheduled" | "cli";

/** How many past runs each domain keeps (the domain page shows the latest; history explains changes). */
const CHECK_HISTORY = 50;

export async function loadExpectation(db: Database, organizationId: string | null, domainId: string) {
  const domain = await db.domain.findFirst({
    where: { id: domainId, ...(organizationId ? { organizationId } : {}) },
    include: { records: { orderBy: { position: "asc" } } },
  });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return { domain, input: { domain: domain.name, records: domain.records.map(expectedFromStored) } };
}

export interface VerificationOutcome {
  report: VerificationReport;
  event: StatusEvent | null;
  status: string;
  /** When the background checker looks again (null: it does not — platform domain, or verification gave up). */
  nextCheckAt: Date | null;
}

export interface VerifyAndRecordOptions extends VerifyOptions {
  /** Status rules; default from configuration (CHECK_PENDING_TIMEOUT, CHECK_GRACE_PERIOD). */
  policy?: StatusPolicy;
  /** Status rules and re-check intervals; default from configuration. `policy` wins when both are given. */
  monitoring?: MonitoringSettings;
  /** Jitter source for the verified re-check interval (tests pass a fixed one). */
  random?: () => number;
  /** Opens the DKIM private keys for the self-test; default SECRETS_KEY. */
  secretsKey?: string;
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
  const { domain, input } = await loadExpectation(db, organizationId, domainId);
  const engineReport = await verifyDomainRecords(input, options);
  const now = options.now?.() ?? new Date();
  const settings = options.monitoring ?? monitoringSettingsFrom(getConfig());
  const policy = options.policy ?? settings.policy;
  const startedAt = new Date(engineReport.startedAt);

  // Each DKIM key is self-tested against its record (signed here, verified as receivers do): a
  // DKIM record is verified only when both the DNS engine and the self-test say so.
  const selfTests = await selfTestDkimKeys(db, domain, engineReport, now, options);
  const testedRecords = new Map(selfTests.map((test) => [test.recordId, test]));
  const checks = engineReport.checks.map((check, index): RecordCheck => {
    const test = testedRecords.get(domain.records[index]?.id ?? "");
    return test && test.recordVerdict !== "pending" ? { ...check, verdict: test.recordVerdict } : check;
  });
  const summary = {
    ...engineReport.summary,
    sending: groupVerdict(checks.filter((check) => check.expected.kind === "spf" || check.expected.kind === "dkim")),
    overall: groupVerdict(checks),
  };
  const report: VerificationReport = { ...engineReport, summary };

  const applied = await db.$transaction(async (tx) => {
    const current = await lockDomain(tx, domain.id);
    if (!current) throw new NotFoundError("This domain was deleted while it was being checked.");
    const change = nextDomainState(current, report.summary, now, policy);
    const next = nextCheckAt({ ...current, ...change }, now, { ...settings, policy }, options.random);
    for (const [index, record] of domain.records.entries()) {
      const check: RecordCheck | undefined = engineReport.checks[index];
      if (!check) continue;
      // updateMany: a key change since the records were read may have removed this one.
      await tx.domainRecord.updateMany({
        where: { id: record.id },
        data: { verdict: checks[index]!.verdict, lastCheckedAt: now, lastCheck: check as unknown as Prisma.InputJsonValue },
      });
    }
    await storeKeyTests(tx, selfTests, { recordVerdicts: false });
    await retireDueKeys(tx, { id: domain.id, organizationId: current.organizationId, name: current.name, displayName: current.displayName }, now);
    await tx.domain.update({
      where: { id: domain.id },
      data: {
        lastCheckedAt: now,
        nextCheckAt: next,
        status: change.status,
        verifiedAt: change.verifiedAt,
        graceStartedAt: change.graceStartedAt,
        ...(change.status !== current.status ? { statusChangedAt: now } : {}),
      },
    });
    await tx.domainCheck.create({
      data: {
        domainId: domain.id,
        trigger,
        startedAt,
        finishedAt: new Date(report.finishedAt),
        ownership: report.summary.ownership,
        inbound: report.summary.inbound,
        sending: report.summary.sending,
        report: { ...report, dkimSelfTests: selfTests } as unknown as Prisma.InputJsonValue,
      },
    });
    const old = await tx.domainCheck.findMany({
      where: { domainId: domain.id },
      orderBy: { startedAt: "desc" },
      skip: CHECK_HISTORY,
      select: { id: true },
    });
    if (old.length > 0) await tx.domainCheck.deleteMany({ where: { id: { in: old.map((row) => row.id) } } });

    const deliveries: { id: string; at: Date }[] = [];
    if (change.event) {
      const missing = missingRecords(report);
      const message = describeDomainEvent(change.event, {
        domain: current.displayName,
        missing,
        gracePeriodMs: policy.graceHours * 3_600_000,
        graceIntervalMs: settings.schedule.graceEveryMs,
        pendingTimeoutMs: policy.pendingTimeoutHours * 3_600_000,
      });
      await createNotification(tx, {
        organizationId: current.organizationId,
        domainId: domain.id,
        kind: `domain.${change.event}`,
        ...message,
        createdAt: now,
      });
      const delivery = await queueWebhookEvent(tx, {
        organizationId: current.organizationId,
        type: `domain.${change.event}`,
        now,
        data: {
          domain: {
            id: domain.id,
            name: current.name,
            displayName: current.displayName,
            status: change.status,
            previousStatus: current.status,
          },
          trigger,
          checkedAt: now.toISOString(),
          nextCheckAt: next?.toISOString() ?? null,
          summary: report.summary,
          missingRecords: missing,
          message,
        },
      });
      if (delivery) deliveries.push(delivery);
    }
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
 * The domain's published (and to-be-published) keys, each tested against the check of its record:
 * whenever DNS answered, found or not, so the result shown is never older than the record's verdict.
 */
async function selfTestDkimKeys(
  db: Database,
  domain: { id: string; name: string; records: { id: string; dkimKeyId: string | null }[] },
  report: VerificationReport,
  now: Date,
  options: VerifyAndRecordOptions,
): Promise<KeyTestResult[]> {
  const keyIds = domain.records.flatMap((record) => (record.dkimKeyId ? [record.dkimKeyId] : []));
  if (keyIds.length === 0) return [];
  const keys = await db.dkimKey.findMany({
    where: { id: { in: keyIds }, domainId: domain.id, state: { in: [...LIVE_KEY_STATES] } },
    select: { id: true, selector: true, publicKey: true, privateKeySealed: true },
  });
  const byId = new Map(keys.map((key) => [key.id, key]));
  const targets = domain.records.flatMap((record, index): KeyUnderTest[] => {
    const key = record.dkimKeyId ? byId.get(record.dkimKeyId) : undefined;
    const check = report.checks[index];
    // DNS that just failed to answer would only fail the self-test the same way, a deadline later.
    return key && check && check.verdict !== "temporary_failure" ? [{ recordId: record.id, key, dns: check }] : [];
  });
  return selfTestKeys(domain.name, targets, {
    resolvers: options.resolvers,
    timeoutMs: options.timeoutMs ?? 1500,
    deadlineMs: options.deadlineMs ?? 8000,
    now,
    secretsKey: options.secretsKey ?? getConfig().SECRETS_KEY,
  });
}

async function lockDomain(tx: Prisma.TransactionClient, domainId: string): Promise<LockedDomain | null> {
  const rows = await tx.$queryRaw<
    {
      organization_id: string;
      kind: "custom" | "platform";
      name: string;
      display_name: string;
      status: DomainStatus;
      verification_started_at: Date;
      grace_started_at: Date | null;
      verified_at: Date | null;
    }[]
  >`SELECT organization_id::text, kind::text, name, display_name, status::text, verification_started_at, grace_started_at, verified_at
      FROM domains WHERE id = ${domainId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) return null;
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
 * Records that receiving depends on (ownership, MX) and that a definite DNS answer says are absent
 * or wrong: what moved the status, and what the admin must fix.
 */
function missingRecords(report: VerificationReport): MissingRecord[] {
  return report.checks
    .filter((check) => (check.expected.kind === "ownership" || check.expected.kind === "mx") && check.verdict === "failed")
    .map((check) => ({ kind: check.expected.kind, type: check.expected.type, name: check.expected.name }));
}

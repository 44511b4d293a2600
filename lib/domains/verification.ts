import "server-only";

import { verifyDomainRecords, type RecordCheck, type VerificationReport, type VerifyOptions } from "@/lib/dns";
import type { Database, Prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";

import { expectedFromStored } from "./expected-records";
import { DEFAULT_STATUS_POLICY, nextDomainState, type StatusEvent, type StatusPolicy } from "./status";

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
}

/**
 * Checks a domain's records over DNS and stores the outcome: each record's verdict and what was
 * found, the run in the domain's history, and the domain's status (lib/domains/status.ts).
 * `organizationId` scopes the lookup (null only for the background checker and operator CLI).
 */
export async function verifyAndRecord(
  db: Database,
  organizationId: string | null,
  domainId: string,
  trigger: CheckTrigger,
  options: VerifyOptions & { policy?: StatusPolicy },
): Promise<VerificationOutcome> {
  const { domain, input } = await loadExpectation(db, organizationId, domainId);
  const report = await verifyDomainRecords(input, options);
  const now = options.now?.() ?? new Date();
  const change = nextDomainState(domain, report.summary, now, options.policy ?? DEFAULT_STATUS_POLICY);
  const startedAt = new Date(report.startedAt);
  await db.$transaction(async (tx) => {
    for (const [index, record] of domain.records.entries()) {
      const check: RecordCheck | undefined = report.checks[index];
      if (!check) continue;
      await tx.domainRecord.update({
        where: { id: record.id },
        data: { verdict: check.verdict, lastCheckedAt: now, lastCheck: check as unknown as Prisma.InputJsonValue },
      });
    }
    await tx.domain.update({
      where: { id: domain.id },
      data: {
        lastCheckedAt: now,
        status: change.status,
        verifiedAt: change.verifiedAt,
        graceStartedAt: change.graceStartedAt,
        ...(change.status !== domain.status ? { statusChangedAt: now } : {}),
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
        report: report as unknown as Prisma.InputJsonValue,
      },
    });
    const old = await tx.domainCheck.findMany({
      where: { domainId: domain.id },
      orderBy: { startedAt: "desc" },
      skip: CHECK_HISTORY,
      select: { id: true },
    });
    if (old.length > 0) await tx.domainCheck.deleteMany({ where: { id: { in: old.map((row) => row.id) } } });
  });
  return { report, event: change.event, status: change.status };
}

import "server-only";

import type { Database, Prisma } from "@/lib/db/client";
import { verifyDomainRecords } from "@/lib/dns";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { NotFoundError, ValidationError } from "@/lib/errors";

import { lockOwnDomain } from "../key-records";
import { LIVE_KEY_STATES, selfTestKeys, storeKeyTests, type KeyTestResult, type KeyUnderTest } from "../key-tests";
import { keptTestMessage } from "../self-test";
import type { DkimSettings } from "../settings";

/**
 * "Run DKIM self-test": looks at every published (or to-be-published) key's record afresh on the
 * domain's own nameservers, then tests each key against what the configured resolvers return, as a
 * receiver would. The fresh look matters: the self-test tells a resolver's stale cache from a wrong
 * record by comparing with what the nameservers serve, and the record may have changed since the
 * last check. Each record's verdict and finding are updated (a key that no longer verifies takes
 * "Sending ready" away at once); the domain's status is left to the next full check. Changes no
 * configuration, so it is not audited; the result and its time are kept on the key.
 */
export async function runDkimSelfTest(
  db: Database,
  organizationId: string,
  domainId: string,
  settings: DkimSettings,
  now = new Date(),
): Promise<KeyTestResult[]> {
  const domain = await db.domain.findFirst({
    where: { id: domainId, organizationId },
    select: { id: true, name: true, kind: true, records: { where: { dkimKeyId: { not: null } }, orderBy: { position: "asc" } } },
  });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  if (domain.kind !== "custom") throw new ValidationError("Mail from a platform domain is signed with the platform's own key: there is no key of yours to test.");
  const keys = await db.dkimKey.findMany({
    where: { domainId: domain.id, state: { in: [...LIVE_KEY_STATES] } },
    select: { id: true, selector: true, publicKey: true, privateKeySealed: true, selfTestMessage: true, selfTestSignedAt: true },
  });
  const byId = new Map(keys.map(({ selfTestMessage, selfTestSignedAt, ...key }) => [key.id, { ...key, signed: keptTestMessage(selfTestMessage, selfTestSignedAt) }]));
  const records = domain.records.filter((record) => record.dkimKeyId && byId.has(record.dkimKeyId));
  if (records.length === 0) throw new ValidationError("This domain has no DKIM key to test.");

  const report = await verifyDomainRecords({ domain: domain.name, records: records.map(expectedFromStored) }, { ...settings.dns, now: () => now });
  const targets = records.map((record, index): KeyUnderTest => ({ recordId: record.id, key: byId.get(record.dkimKeyId!)!, dns: report.checks[index] ?? null }));
  const results = await selfTestKeys(domain.name, targets, { ...settings.selfTest, now, secretsKey: settings.secretsKey });
  await db.$transaction(async (tx) => {
    await lockOwnDomain(tx, organizationId, domain.id);
    for (const [index, record] of records.entries()) {
      const check = report.checks[index];
      if (!check) continue;
      // updateMany: a key discarded or retired meanwhile has taken its record with it.
      await tx.domainRecord.updateMany({
        where: { id: record.id },
        data: { verdict: check.verdict, lastCheckedAt: now, lastCheck: check as unknown as Prisma.InputJsonValue },
      });
    }
    // After the DNS verdicts: each record's verdict becomes the two joined.
    await storeKeyTests(tx, results, { recordVerdicts: true });
  });
  return results;
}

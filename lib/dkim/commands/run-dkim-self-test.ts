import "server-only";

import type { RecordCheck } from "@/lib/dns";
import type { Database } from "@/lib/db/client";
import { NotFoundError, ValidationError } from "@/lib/errors";

import { lockOwnDomain } from "../key-records";
import { LIVE_KEY_STATES, selfTestKeys, storeKeyTests, type KeyTestResult, type KeyUnderTest } from "../key-tests";
import type { DkimSettings } from "../settings";

/**
 * "Run DKIM self-test": tests every published (or to-be-published) key of the domain now, against
 * what the configured resolvers return, and joins each result with its record's last DNS check.
 * Changes no configuration, so it is not audited; the result and its time are kept on the key.
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
    select: { id: true, name: true, kind: true, records: { where: { dkimKeyId: { not: null } }, select: { id: true, dkimKeyId: true, lastCheck: true } } },
  });
  if (!domain) throw new NotFoundError("This domain does not exist, or it was deleted.");
  if (domain.kind !== "custom") throw new ValidationError("Mail from a platform domain is signed with the platform's own key: there is no key of yours to test.");
  const keys = await db.dkimKey.findMany({
    where: { domainId: domain.id, state: { in: [...LIVE_KEY_STATES] } },
    select: { id: true, selector: true, publicKey: true, privateKeySealed: true },
  });
  const byId = new Map(keys.map((key) => [key.id, key]));
  const targets = domain.records.flatMap((record): KeyUnderTest[] => {
    const key = record.dkimKeyId ? byId.get(record.dkimKeyId) : undefined;
    const check = record.lastCheck as unknown as Pick<RecordCheck, "verdict" | "found"> | null;
    return key ? [{ recordId: record.id, key, dns: check ? { verdict: check.verdict, found: check.found ?? [] } : null }] : [];
  });
  if (targets.length === 0) throw new ValidationError("This domain has no DKIM key to test.");
  const results = await selfTestKeys(domain.name, targets, { ...settings.selfTest, now, secretsKey: settings.secretsKey });
  await db.$transaction(async (tx) => {
    await lockOwnDomain(tx, organizationId, domain.id);
    await storeKeyTests(tx, results, { recordVerdicts: true });
  });
  return results;
}

import "server-only";

import type { RecordCheck } from "@/lib/dns";
import type { Prisma } from "@/lib/db/client";
import type { RecordVerdict } from "@/lib/domains/types";

import { openPrivateKey } from "./keys";
import { runDkimSelfTest, selfTestOutcome, type SelfTestSettings, type SignedTestMessage } from "./self-test";
import type { SelfTestCode, SelfTestOutcome } from "./types";
import { agreeWithRecordCheck, dkimRecordVerdict, reconcileWithDns } from "./verdicts";

/**
 * Self-tests of a domain's keys, each against its own record: shared by verification (every check
 * tests the keys whose records it just checked) and by the "Run DKIM self-test" button.
 */

/** A key still published (or to be): the ones that have a record. */
export const LIVE_KEY_STATES = ["pending", "active", "retiring"] as const;

type DnsCheck = Pick<RecordCheck, "verdict" | "found" | "diagnoses">;

export interface KeyUnderTest {
  recordId: string;
  key: { id: string; selector: string; publicKey: string; privateKeySealed: string | null; signed: SignedTestMessage | null };
  /**
   * The DNS engine's check of the key's record (null before the first check). A check may still be
   * running: the self-test's own DNS question then goes out alongside the check's instead of after it.
   */
  dns: DnsCheck | null | PromiseLike<DnsCheck | null>;
}

export interface KeyTestResult {
  recordId: string;
  keyId: string;
  outcome: SelfTestOutcome;
  code: SelfTestCode;
  detail: string | null;
  testedAt: Date;
  /** The record's verdict with the self-test joined in (lib/dkim/verdicts.ts). */
  recordVerdict: RecordVerdict;
  /** The signed test message to keep with the key: null drops it, undefined leaves it (self-test.ts). */
  signed?: SignedTestMessage | null;
}

export interface KeyTestSettings extends SelfTestSettings {
  secretsKey: string | undefined;
}

export async function selfTestKeys(domainName: string, targets: readonly KeyUnderTest[], settings: KeyTestSettings): Promise<KeyTestResult[]> {
  return Promise.all(
    targets.map(async ({ recordId, key, dns }) => {
      const tested = await runDkimSelfTest(
        {
          domain: domainName,
          selector: key.selector,
          publicKey: key.publicKey,
          privateKeyPem: openPrivateKey(key.privateKeySealed, settings.secretsKey),
          signed: key.signed,
        },
        settings,
      );
      const checked = await dns;
      const { code, detail } = agreeWithRecordCheck({ code: reconcileWithDns(tested.code, tested.seen, checked), detail: tested.detail }, checked);
      const outcome = selfTestOutcome(code);
      return {
        recordId,
        keyId: key.id,
        outcome,
        code,
        detail,
        testedAt: tested.testedAt,
        recordVerdict: dkimRecordVerdict(checked?.verdict ?? "pending", { outcome }),
        signed: tested.signed,
      };
    }),
  );
}

/** Stores each key's latest self-test; with `recordVerdicts`, also each record's joined verdict. */
export async function storeKeyTests(tx: Prisma.TransactionClient, results: readonly KeyTestResult[], options: { recordVerdicts: boolean }): Promise<void> {
  for (const result of results) {
    await tx.dkimKey.updateMany({
      // A key retired meanwhile (by a check) keeps nothing of this test.
      where: { id: result.keyId, state: { in: [...LIVE_KEY_STATES] } },
      data: {
        selfTestOutcome: result.outcome,
        selfTestCode: result.code,
        selfTestDetail: result.detail,
        selfTestedAt: result.testedAt,
        ...(result.signed === undefined ? {} : { selfTestMessage: result.signed?.message ?? null, selfTestSignedAt: result.signed?.signedAt ?? null }),
      },
    });
    if (options.recordVerdicts) {
      await tx.domainRecord.updateMany({ where: { id: result.recordId }, data: { verdict: result.recordVerdict } });
    }
  }
}

import "server-only";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors-prisma";
import { auditDomainChange } from "@/lib/domains/audit";
import { storedFromExpected } from "@/lib/domains/expected-records";
import { ConflictError, ValidationError } from "@/lib/errors";

import { lockOwnDomain, orderDkimRecords } from "../key-records";
import { dkimRecordName, dkimRecordValue, generateDkimKey, nextSelector } from "../keys";
import type { DkimSettings } from "../settings";

const ALREADY_ROTATING = (selector: string) =>
  `A new key (${selector}) is already waiting to be published. Publish its record and switch to it, or discard it, before starting another rotation.`;

/**
 * "Rotate key": a new key pair under a new selector, waiting (pending) for the admin to publish its
 * record. The signing key is untouched until the switch. One rotation at a time: the domain's row
 * lock orders two admins' clicks, and the second finds the first one's key (the partial unique index
 * on pending keys backs this up).
 */
export async function rotateDkimKey(
  db: Database,
  actor: AuditActor,
  domainId: string,
  settings: DkimSettings,
  now = new Date(),
): Promise<{ keyId: string; selector: string; recordName: string }> {
  if (!settings.secretsKey) throw new Error("SECRETS_KEY is not set: a new DKIM key cannot be stored.");
  // Outside the transaction: a 2048-bit key takes a moment, and holds no lock meanwhile.
  const generated = await generateDkimKey(settings.secretsKey);
  try {
    return await db.$transaction(async (tx) => {
      const domain = await lockOwnDomain(tx, actor.organizationId, domainId);
      if (domain.kind !== "custom") throw new ValidationError("Mail from a platform domain is signed with the platform's own key: there is no key of yours to rotate.");
      const waiting = await tx.dkimKey.findFirst({ where: { domainId: domain.id, state: "pending" }, select: { selector: true } });
      if (waiting) throw new ConflictError(ALREADY_ROTATING(waiting.selector));
      const taken = await tx.dkimKey.findMany({ where: { domainId: domain.id }, select: { selector: true } });
      const selector = nextSelector(settings.baseSelector, now, taken.map((key) => key.selector));
      const key = await tx.dkimKey.create({
        data: { domainId: domain.id, selector, publicKey: generated.publicKey, privateKeySealed: generated.privateKeySealed, state: "pending", createdAt: now },
        select: { id: true },
      });
      const recordName = dkimRecordName(selector, domain.name);
      const last = await tx.domainRecord.aggregate({ where: { domainId: domain.id }, _max: { position: true } });
      // Not required: sending readiness follows the signing key until the switch.
      const record = storedFromExpected({ kind: "dkim", type: "TXT", name: recordName, value: dkimRecordValue(generated.publicKey), required: false }, (last._max.position ?? -1) + 1);
      await tx.domainRecord.create({ data: { ...record, domainId: domain.id, dkimKeyId: key.id } });
      await orderDkimRecords(tx, domain.id);
      await auditDomainChange(tx, actor, domain, {
        action: "domain.dkim_rotate",
        after: { selector, state: "pending", record: recordName },
      });
      return { keyId: key.id, selector, recordName };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("Another administrator started a rotation of this domain's key at the same moment. Reload to see their new key.");
    throw error;
  }
}

import "server-only";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { auditDomainChange } from "@/lib/domains/audit";
import type { RecordVerdict } from "@/lib/domains/types";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";

import { lockOwnDomain, orderDkimRecords } from "../key-records";
import type { DkimSettings } from "../settings";
import type { SelfTestOutcome } from "../types";
import { isReadyToSwitch } from "../verdicts";

/**
 * "Switch to new key": the pending key starts signing, and the key it replaces becomes `retiring`:
 * its record must stay published for DKIM_RETIRING_PERIOD, since mail signed with it may still be
 * on its way; checks after that retire it (lib/dkim/key-records.ts retireDueKeys). Allowed only
 * when the new record is verified and the new key's self-test passed — the same rule the panel
 * uses to offer the button, checked here again under the domain's lock.
 */
export async function switchDkimKey(
  db: Database,
  actor: AuditActor,
  input: { domainId: string; keyId: string },
  settings: Pick<DkimSettings, "retiringPeriodMs">,
  now = new Date(),
): Promise<{ active: string; retiring: string | null; retireAfter: Date }> {
  return db.$transaction(async (tx) => {
    const domain = await lockOwnDomain(tx, actor.organizationId, input.domainId);
    const key = await tx.dkimKey.findFirst({
      where: { id: input.keyId, domainId: domain.id },
      select: { id: true, selector: true, state: true, selfTestOutcome: true, records: { select: { verdict: true }, take: 1 } },
    });
    if (!key) throw new NotFoundError("This key does not exist, or it was discarded.");
    if (key.state !== "pending") {
      throw new ConflictError(`The key ${key.selector} is no longer waiting for the switch (it is ${key.state} now): another administrator may have switched to it or discarded it. Reload to see the keys as they are.`);
    }
    const ready = isReadyToSwitch({
      recordVerdict: (key.records[0]?.verdict ?? null) as RecordVerdict | null,
      selfTest: key.selfTestOutcome ? { outcome: key.selfTestOutcome as SelfTestOutcome } : null,
    });
    if (!ready) {
      throw new ValidationError(`Publish the record of ${key.selector} first, then check again: the switch is possible once the record is verified and the key's self-test passes.`);
    }
    const retireAfter = new Date(now.getTime() + settings.retiringPeriodMs);
    const previous = await tx.dkimKey.findFirst({ where: { domainId: domain.id, state: "active" }, select: { id: true, selector: true } });
    // The old key leaves `active` first: at most one active key per domain, at every statement.
    if (previous) {
      await tx.dkimKey.update({ where: { id: previous.id }, data: { state: "retiring", replacedAt: now, retireAfter } });
      await tx.domainRecord.updateMany({ where: { dkimKeyId: previous.id }, data: { required: false } });
    }
    await tx.dkimKey.update({ where: { id: key.id }, data: { state: "active", activatedAt: now } });
    await tx.domainRecord.updateMany({ where: { dkimKeyId: key.id }, data: { required: true } });
    await orderDkimRecords(tx, domain.id);
    await auditDomainChange(tx, actor, domain, {
      action: "domain.dkim_switch",
      before: { active: previous?.selector ?? null, pending: key.selector },
      after: { active: key.selector, retiring: previous?.selector ?? null, retireAfter },
    });
    return { active: key.selector, retiring: previous?.selector ?? null, retireAfter };
  });
}

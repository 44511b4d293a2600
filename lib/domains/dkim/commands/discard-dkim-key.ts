import "server-only";

import type { AuditActor } from "@/lib/audit/audit";
import type { Database } from "@/lib/db/client";
import { auditDomainChange } from "@/lib/domains/audit";
import { ConflictError, NotFoundError } from "@/lib/errors";

import { lockOwnDomain, orderDkimRecords } from "../key-records";
import { dkimRecordName } from "../keys";

/**
 * "Discard new key": abandons a rotation before the switch. The pending key and its record go (it
 * never signed anything); if its record was already published, it can simply be deleted.
 */
export async function discardDkimKey(db: Database, actor: AuditActor, input: { domainId: string; keyId: string }): Promise<{ selector: string }> {
  return db.$transaction(async (tx) => {
    const domain = await lockOwnDomain(tx, actor.organizationId, input.domainId);
    const key = await tx.dkimKey.findFirst({ where: { id: input.keyId, domainId: domain.id }, select: { id: true, selector: true, state: true } });
    if (!key) throw new NotFoundError("This key does not exist, or it was discarded.");
    if (key.state !== "pending") {
      throw new ConflictError(`Only a new key that is not signing yet can be discarded; ${key.selector} is ${key.state}. Reload to see the keys as they are.`);
    }
    await tx.dkimKey.delete({ where: { id: key.id } }); // its record goes with it
    await orderDkimRecords(tx, domain.id);
    await auditDomainChange(tx, actor, domain, {
      action: "domain.dkim_discard",
      before: { selector: key.selector, state: "pending", record: dkimRecordName(key.selector, domain.name) },
    });
    return { selector: key.selector };
  });
}

import "server-only";

import { automaticActor, recordAudit } from "@/lib/audit/audit";
import type { Prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { createNotification } from "@/lib/notifications/commands";

import { dkimRecordName } from "./keys";

/** A domain of the caller's organisation, locked for the rest of the transaction. */
export interface LockedDomain {
  id: string;
  name: string;
  displayName: string;
  kind: "custom" | "platform";
}

/**
 * Key changes of one domain (rotate, switch, discard, retire) and its checks' record updates take
 * the domain's row lock first, so they apply one after the other, each to what the one before left.
 */
export async function lockOwnDomain(tx: Prisma.TransactionClient, organizationId: string, domainId: string): Promise<LockedDomain> {
  const rows = await tx.$queryRaw<{ id: string; name: string; display_name: string; kind: "custom" | "platform" }[]>`
    SELECT id::text, name, display_name, kind::text FROM domains
     WHERE id = ${domainId}::uuid AND organization_id = ${organizationId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new NotFoundError("This domain does not exist, or it was deleted.");
  return { id: row.id, name: row.name, displayName: row.display_name, kind: row.kind };
}

const KIND_ORDER = { ownership: 0, mx: 1, spf: 2, dkim: 3, dmarc: 4 } as const;
const KEY_ORDER = { active: 0, pending: 1, retiring: 2, retired: 3 } as const;

/**
 * Puts a domain's records in the order the console shows and checks them: ownership, MX, SPF, the
 * signing key's DKIM record, then a new key's, then those of keys being retired, then DMARC.
 */
export async function orderDkimRecords(tx: Prisma.TransactionClient, domainId: string): Promise<void> {
  const records = await tx.domainRecord.findMany({
    where: { domainId },
    select: { id: true, kind: true, position: true, dkimKey: { select: { state: true, createdAt: true } } },
    orderBy: { position: "asc" },
  });
  const ordered = [...records].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.dkimKey && b.dkimKey ? KEY_ORDER[a.dkimKey.state] - KEY_ORDER[b.dkimKey.state] || b.dkimKey.createdAt.getTime() - a.dkimKey.createdAt.getTime() : 0) ||
      a.position - b.position,
  );
  if (ordered.every((record, index) => record.position === index)) return;
  // Out of the way first: (domain_id, position) is unique at every statement.
  await tx.domainRecord.updateMany({ where: { domainId }, data: { position: { increment: 100_000 } } });
  for (const [index, record] of ordered.entries()) {
    await tx.domainRecord.update({ where: { id: record.id }, data: { position: index } });
  }
}

/**
 * Retires the domain's replaced keys whose period is over: their records may now be removed, so the
 * console stops asking for them, erases their private keys, and tells the admins. Runs inside a
 * domain check's transaction (the background checker visits every verified domain regularly).
 */
export async function retireDueKeys(
  tx: Prisma.TransactionClient,
  domain: { id: string; organizationId: string; name: string; displayName: string },
  now: Date,
): Promise<{ selector: string }[]> {
  const due = await tx.dkimKey.findMany({
    where: { domainId: domain.id, state: "retiring", retireAfter: { lte: now } },
    select: { id: true, selector: true, replacedAt: true, retireAfter: true },
    orderBy: { createdAt: "asc" },
  });
  const retired: { selector: string }[] = [];
  for (const key of due) {
    const updated = await tx.dkimKey.updateMany({
      where: { id: key.id, state: "retiring" },
      data: { state: "retired", retiredAt: now, privateKeySealed: null, selfTestMessage: null, selfTestSignedAt: null },
    });
    if (updated.count === 0) continue;
    await tx.domainRecord.deleteMany({ where: { dkimKeyId: key.id } });
    const recordName = dkimRecordName(key.selector, domain.name);
    await recordAudit(tx, automaticActor(domain.organizationId), {
      action: "domain.dkim_retire",
      entityType: "domain",
      entityId: domain.id,
      entityLabel: domain.displayName,
      before: { selector: key.selector, state: "retiring", retireAfter: key.retireAfter },
      after: { selector: key.selector, state: "retired", record: recordName },
    });
    await createNotification(tx, {
      organizationId: domain.organizationId,
      domainId: domain.id,
      kind: "domain.dkim_key_retired",
      title: `The old DKIM record of ${domain.displayName} can be removed`,
      body: `The key ${key.selector} was replaced${key.replacedAt ? ` on ${key.replacedAt.toISOString().slice(0, 10)}` : ""} and mail signed with it has had time to arrive. You can now delete the TXT record ${recordName} at your DNS host.`,
      createdAt: now,
    });
    retired.push({ selector: key.selector });
  }
  if (retired.length > 0) await orderDkimRecords(tx, domain.id);
  return retired;
}

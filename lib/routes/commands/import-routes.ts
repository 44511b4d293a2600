import "server-only";

import { recordAudit } from "@/lib/audit/audit";
import { AUDIT_IMPORT_ADDRESSES, type RouteImportRecord } from "@/lib/audit/types";
import { getDb, type Database, type Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { checkHostname } from "@/lib/domains/hostname";

import { parseRoutesCsv } from "../csv";
import { isClean, validateRouteImport, type PreparedRow } from "../import";
import { lockDomainRoutes } from "../rules";
import type { ChangeActor, ImportReport, RouteLimits } from "../types";

/**
 * The apply half of a CSV import: checks the file again inside one transaction and, only if every
 * row is good, inserts all rows with one statement per table and one audit entry.
 */

async function insertRows(tx: Prisma.TransactionClient, organizationId: string, rows: PreparedRow[]): Promise<void> {
  const column = <T>(pick: (row: PreparedRow) => T) => rows.map(pick);
  // Addresses cannot contain commas (dot-atom local parts, host names), so a joined list is safe.
  await tx.$executeRaw`
    INSERT INTO routes (id, organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id,
                        from_name, from_email, reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions,
                        spam_queue_id, version, created_at, updated_at)
    SELECT f.id, ${organizationId}::uuid, f.domain_id, f.pattern, f.pattern_key, f.address, f.queue_id, f.priority, f.language_id,
           f.from_name, f.from_email, f.reply_route_id,
           CASE WHEN f.auto_bcc = '' THEN ARRAY[]::text[] ELSE string_to_array(f.auto_bcc, ',') END,
           f.history_inclusion::history_inclusion, f.allow_multiple_actions, f.spam_queue_id, 1, now(), now()
      FROM unnest(
        ${column((row) => row.id)}::uuid[],
        ${column((row) => row.domain.id)}::uuid[],
        ${column((row) => row.values.pattern)}::text[],
        ${column((row) => row.patternKey)}::text[],
        ${column((row) => row.address)}::text[],
        ${column((row) => row.values.queueId)}::uuid[],
        ${column((row) => row.values.priority)}::int[],
        ${column((row) => row.values.languageId)}::uuid[],
        ${column((row) => row.values.fromName)}::text[],
        ${column((row) => row.values.fromEmail)}::text[],
        ${column((row) => row.values.replyRouteId)}::uuid[],
        ${column((row) => row.values.autoBcc.join(","))}::text[],
        ${column((row) => row.values.historyInclusion)}::text[],
        ${column((row) => row.values.allowMultipleActions)}::boolean[],
        ${column((row) => row.values.spamQueueId)}::uuid[]
      ) AS f(id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id, from_name, from_email,
             reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions, spam_queue_id)`;
  const links = rows.flatMap((row) => row.values.skillIds.map((skillId) => [row.id, skillId] as const));
  if (links.length > 0) {
    await tx.$executeRaw`
      INSERT INTO route_skills (route_id, skill_id)
      SELECT * FROM unnest(${links.map((link) => link[0])}::uuid[], ${links.map((link) => link[1])}::uuid[])`;
  }
}

/**
 * Checks the file again (the dry run may be minutes old) and, only if every row is good, creates
 * all its routes in one transaction with one audit entry. Anything wrong: nothing is written and
 * the report says why.
 */
export async function importRoutes(
  actor: ChangeActor,
  text: string,
  limits: RouteLimits,
  options: { fileName?: string } = {},
  db: Database = getDb(),
): Promise<ImportReport> {
  const { organizationId } = actor;
  const parsed = parseRoutesCsv(text);
  if (parsed.fileErrors.length > 0) return (await validateRouteImport(db, organizationId, parsed, limits)).report;
  // The domains the file names are locked before the rows are checked, so the per-domain limit
  // and the existing addresses cannot change between the check and the insert.
  const names = [...new Set(parsed.rows.map((row) => (row.values.domain ?? "").toLowerCase()).filter((name) => name !== ""))];
  const asciiNames = names.flatMap((name) => {
    const checked = checkHostname(name);
    return checked.ok ? [checked.ascii] : [];
  });
  const domains = await db.domain.findMany({ where: { organizationId, name: { in: asciiNames } }, select: { id: true } });
  try {
    return await db.$transaction(
      async (tx) => {
        await lockDomainRoutes(tx, domains.map((domain) => domain.id));
        const { report, rows } = await validateRouteImport(tx, organizationId, parsed, limits);
        if (!isClean(report)) return report;
        await insertRows(tx, organizationId, rows);
        await recordAudit(tx, actor, {
          action: "routes.import",
          entityType: "routes",
          entityLabel: options.fileName ? `Import of ${options.fileName}` : "CSV import",
          after: {
            created: rows.length,
            rows: report.rowCount,
            domains: report.domains.map((domain) => ({ name: domain.name, count: domain.count })),
            addresses: rows.slice(0, AUDIT_IMPORT_ADDRESSES).map((row) => row.address),
          } satisfies RouteImportRecord,
        });
        return { ...report, created: rows.length, applied: true };
      },
      { maxWait: 10_000, timeout: 120_000 },
    );
  } catch (error) {
    // Someone created one of these addresses, or deleted a queue, skill or language the file names,
    // between the check and the insert: nothing was written; check afresh so the report says what.
    if (isUniqueViolation(error) || isForeignKeyViolation(error)) {
      const report = (await validateRouteImport(db, organizationId, parsed, limits)).report;
      return { ...report, fileErrors: [...report.fileErrors, "Something the file depends on changed while it was being imported; nothing was imported."] };
    }
    throw error;
  }
}

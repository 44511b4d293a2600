import "server-only";

import { auditInsertSql } from "@/lib/audit/audit";
import { AUDIT_IMPORT_ADDRESSES, type RouteImportRecord } from "@/lib/audit/types";
import { getPool, inPoolTransaction, type Queryable } from "@/lib/db/client";
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

/**
 * All rows in one statement per table. The rows travel as one JSON parameter: fifteen parameters
 * of 10,000-element arrays cost the driver and Prisma's parameter handling more CPU than the
 * insert itself took in the database.
 */
async function insertRows(tx: Queryable, organizationId: string, rows: PreparedRow[]): Promise<void> {
  const records = rows.map((row) => ({
    id: row.id,
    domain_id: row.domain.id,
    pattern: row.values.pattern,
    pattern_key: row.patternKey,
    address: row.address,
    queue_id: row.values.queueId,
    priority: row.values.priority,
    language_id: row.values.languageId,
    from_name: row.values.fromName,
    from_email: row.values.fromEmail,
    reply_route_id: row.values.replyRouteId,
    // Addresses cannot contain commas (dot-atom local parts, host names), so a joined list is safe.
    auto_bcc: row.values.autoBcc.join(","),
    history_inclusion: row.values.historyInclusion,
    allow_multiple_actions: row.values.allowMultipleActions,
    spam_queue_id: row.values.spamQueueId,
  }));
  await tx.query(
    `INSERT INTO routes (id, organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id,
                         from_name, from_email, reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions,
                         spam_queue_id, version, created_at, updated_at)
     SELECT f.id, $1::uuid, f.domain_id, f.pattern, f.pattern_key, f.address, f.queue_id, f.priority, f.language_id,
            f.from_name, f.from_email, f.reply_route_id,
            CASE WHEN f.auto_bcc = '' THEN ARRAY[]::text[] ELSE string_to_array(f.auto_bcc, ',') END,
            f.history_inclusion::history_inclusion, f.allow_multiple_actions, f.spam_queue_id, 1, now(), now()
       FROM json_to_recordset($2::json) AS f(
              id uuid, domain_id uuid, pattern text, pattern_key text, address text, queue_id uuid, priority int, language_id uuid,
              from_name text, from_email text, reply_route_id uuid, auto_bcc text, history_inclusion text,
              allow_multiple_actions boolean, spam_queue_id uuid)`,
    [organizationId, JSON.stringify(records)],
  );
  const links = rows.flatMap((row) => row.values.skillIds.map((skillId) => ({ route_id: row.id, skill_id: skillId })));
  if (links.length > 0) {
    await tx.query("INSERT INTO route_skills (route_id, skill_id) SELECT route_id, skill_id FROM json_to_recordset($1::json) AS f(route_id uuid, skill_id uuid)", [
      JSON.stringify(links),
    ]);
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
  pool = getPool(),
): Promise<ImportReport> {
  const { organizationId } = actor;
  const parsed = parseRoutesCsv(text);
  if (parsed.fileErrors.length > 0) return (await validateRouteImport(pool, organizationId, parsed, limits)).report;
  // The domains the file names are locked before the rows are checked, so the per-domain limit
  // and the existing addresses cannot change between the check and the insert.
  const names = [...new Set(parsed.rows.map((row) => (row.values.domain ?? "").toLowerCase()).filter((name) => name !== ""))];
  const asciiNames = names.flatMap((name) => {
    const checked = checkHostname(name);
    return checked.ok ? [checked.ascii] : [];
  });
  try {
    return await inPoolTransaction(async (tx) => {
      const { rows: domains } = await tx.query<{ id: string }>("SELECT id FROM domains WHERE organization_id = $1::uuid AND name = ANY($2::text[])", [
        organizationId,
        asciiNames,
      ]);
      await lockDomainRoutes(
        tx,
        domains.map((domain) => domain.id),
      );
      const { report, rows } = await validateRouteImport(tx, organizationId, parsed, limits);
      if (!isClean(report)) return report;
      await insertRows(tx, organizationId, rows);
      const audit = auditInsertSql(actor, {
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
      await tx.query(audit.text, audit.values);
      return { ...report, created: rows.length, applied: true };
    }, pool);
  } catch (error) {
    // Someone created one of these addresses, or deleted a queue, skill or language the file names,
    // between the check and the insert: nothing was written; check afresh so the report says what.
    if (isUniqueViolation(error) || isForeignKeyViolation(error)) {
      const report = (await validateRouteImport(pool, organizationId, parsed, limits)).report;
      return { ...report, fileErrors: [...report.fileErrors, "Something the file depends on changed while it was being imported; nothing was imported."] };
    }
    throw error;
  }
}

import "server-only";

import { auditInsertSql } from "@/lib/audit/audit";
import { AUDIT_IMPORT_ADDRESSES, type RouteImportRecord } from "@/lib/audit/types";
import { getPool, inPoolTransaction, type Queryable, type TransactionLimits } from "@/lib/db/client";
import { isForeignKeyViolation, isStatementTimeout, isUniqueViolation } from "@/lib/db/errors-prisma";
import { checkHostname } from "@/lib/domains/hostname";
import { ConflictError } from "@/lib/errors";

import { parseRoutesCsv } from "../csv";
import { isClean, validateRouteImport, type PreparedRow } from "../import";
import { lockDomainRoutes } from "../rules";
import type { ChangeActor, ImportReport, RouteLimits } from "../types";

/**
 * The apply half of a CSV import: checks the file again inside one transaction, writing the rows
 * while it checks them, and commits them with one audit entry only if every row is good.
 */

/**
 * One step of rows (lib/routes/import.ts's ImportWriter), routes and their skills in one statement,
 * unless an address among them has a route already: then nothing is written and the statement
 * answers those addresses, read in the same snapshot as the insert. The rows travel as one JSON
 * parameter: fifteen long array parameters cost the driver more CPU than the insert took in the
 * database.
 */
async function insertRows(tx: Queryable, organizationId: string, rows: readonly PreparedRow[]): Promise<string[]> {
  // What is empty is left out of the JSON (json_to_recordset reads a missing key as NULL): a
  // third less text to write, send and parse.
  const records = rows.map(({ id, domain, patternKey, address, values }) => ({
    id,
    domain_id: domain.id,
    pattern: values.pattern,
    pattern_key: patternKey,
    address,
    queue_id: values.queueId,
    priority: values.priority,
    language_id: values.languageId ?? undefined,
    from_name: values.fromName,
    from_email: values.fromEmail ?? undefined,
    reply_route_id: values.replyRouteId ?? undefined,
    auto_bcc: values.autoBcc.length > 0 ? values.autoBcc : undefined,
    history_inclusion: values.historyInclusion,
    allow_multiple_actions: values.allowMultipleActions || undefined,
    spam_queue_id: values.spamQueueId ?? undefined,
    skill_ids: values.skillIds.length > 0 ? values.skillIds : undefined,
  }));
  const { rows: taken } = await tx.query<{ address: string }>(
    `WITH f AS MATERIALIZED (
            SELECT * FROM json_to_recordset($2::json) AS f(
              id uuid, domain_id uuid, pattern text, pattern_key text, address text, queue_id uuid, priority int, language_id uuid,
              from_name text, from_email text, reply_route_id uuid, auto_bcc text[], history_inclusion history_inclusion,
              allow_multiple_actions boolean, spam_queue_id uuid, skill_ids uuid[])),
          taken AS MATERIALIZED (
            SELECT r.address FROM routes r JOIN f ON r.domain_id = f.domain_id AND r.pattern_key = f.pattern_key
             WHERE r.organization_id = $1::uuid),
          added AS (
            INSERT INTO routes (id, organization_id, domain_id, pattern, pattern_key, address, queue_id, priority, language_id,
                                from_name, from_email, reply_route_id, auto_bcc, history_inclusion, allow_multiple_actions,
                                spam_queue_id, version, created_at, updated_at)
            SELECT id, $1::uuid, domain_id, pattern, pattern_key, address, queue_id, priority, language_id, from_name, from_email,
                   reply_route_id, coalesce(auto_bcc, '{}'), history_inclusion, coalesce(allow_multiple_actions, false), spam_queue_id, 1, now(), now()
              FROM f WHERE NOT EXISTS (SELECT FROM taken)),
          linked AS (
            INSERT INTO route_skills (route_id, skill_id)
            SELECT f.id, s.skill_id FROM f CROSS JOIN LATERAL unnest(f.skill_ids) AS s(skill_id)
             WHERE NOT EXISTS (SELECT FROM taken))
     SELECT address FROM taken`,
    [organizationId, JSON.stringify(records)],
  );
  return taken.map((row) => row.address);
}

/** Ends the apply's transaction without writing: some row is not good. */
class NotApplied extends Error {
  constructor(readonly report: ImportReport) {
    super("The import has problems; nothing was written");
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
  options: { fileName?: string; transactionLimits?: TransactionLimits } = {},
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
      // The rows are written step by step while the rest of the file is checked; anything wrong
      // anywhere rolls all of it back.
      const { report, rows, written } = await validateRouteImport(tx, organizationId, parsed, limits, (chunk) => insertRows(tx, organizationId, chunk));
      if (!isClean(report)) throw new NotApplied(report);
      if (written !== rows.length) throw new Error(`A clean import wrote ${written} of its ${rows.length} rows`);
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
    }, pool, options.transactionLimits);
  } catch (error) {
    if (error instanceof NotApplied) return error.report;
    // Someone created one of these addresses, or deleted a queue, skill or language the file names,
    // between the check and the insert: nothing was written; check afresh so the report says what.
    if (isUniqueViolation(error) || isForeignKeyViolation(error)) {
      const report = (await validateRouteImport(pool, organizationId, parsed, limits)).report;
      return { ...report, fileErrors: [...report.fileErrors, "Something the file depends on changed while it was being imported; nothing was imported."] };
    }
    // A statement ran past inPoolTransaction's limit (the database was overloaded or a lock was
    // held elsewhere for minutes): the transaction was rolled back.
    if (isStatementTimeout(error)) throw new ConflictError(IMPORT_TIMED_OUT);
    throw error;
  }
}

export const IMPORT_TIMED_OUT = "The database took too long to store this file, so the import was stopped; nothing was imported. Try again in a few minutes.";

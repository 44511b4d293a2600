import "server-only";

import { Prisma } from "@/lib/db/generated/client";

import { CSV_COLUMNS, EXPORT_ONLY_COLUMNS, joinCell, toCsvLine } from "./route-csv";
import { routeStatusFor, type DomainStatusName } from "./route-status";
import type { DbClient } from "@/lib/db/client";

/**
 * Export of every route of an organisation (optionally one domain), as CSV in the import format or
 * as JSON. Streams in address order, a batch at a time with keyset pagination, so 100,000 routes
 * never sit in memory at once and each batch is one indexed query.
 */

const BATCH_SIZE = 2_000;

export interface ExportedRoute {
  id: string;
  address: string;
  domain: string;
  pattern: string;
  queue: string;
  priority: number;
  skills: string[];
  language: string | null;
  fromName: string;
  fromEmail: string | null;
  replyEmailAddress: string | null;
  autoBcc: string[];
  historyInclusion: string;
  allowMultipleActions: boolean;
  spamQueue: string | null;
  status: string;
  version: number;
  updatedAt: string;
}

interface ExportRow {
  id: string;
  address: string;
  pattern: string;
  domain: string;
  domain_status: DomainStatusName;
  queue: string;
  priority: number;
  skills: string[] | null;
  language: string | null;
  from_name: string;
  from_email: string | null;
  reply_address: string | null;
  auto_bcc: string[] | null;
  history_inclusion: string;
  allow_multiple_actions: boolean;
  spam_queue: string | null;
  version: number;
  updated_at: Date;
}

async function* exportBatches(db: DbClient, organizationId: string, domainId?: string): AsyncGenerator<ExportedRoute[]> {
  let after = "";
  for (;;) {
    const domainFilter = domainId ? Prisma.sql`AND r.domain_id = ${domainId}::uuid` : Prisma.empty;
    const rows = await db.$queryRaw<ExportRow[]>`
      SELECT r.id, r.address, r.pattern, d.display_name AS domain, d.status::text AS domain_status, q.name AS queue, r.priority,
             (SELECT array_agg(s.name ORDER BY s.name_key) FROM route_skills rs JOIN skills s ON s.id = rs.skill_id
               WHERE rs.route_id = r.id) AS skills,
             l.name AS language, r.from_name, r.from_email,
             CASE WHEN rr.id IS NULL THEN NULL ELSE rr.pattern || '@' || rd.display_name END AS reply_address,
             r.auto_bcc, r.history_inclusion::text AS history_inclusion, r.allow_multiple_actions, sq.name AS spam_queue,
             r.version, r.updated_at
        FROM routes r
        JOIN domains d ON d.id = r.domain_id
        JOIN queues q ON q.id = r.queue_id
        LEFT JOIN languages l ON l.id = r.language_id
        LEFT JOIN queues sq ON sq.id = r.spam_queue_id
        LEFT JOIN routes rr ON rr.id = r.reply_route_id
        LEFT JOIN domains rd ON rd.id = rr.domain_id
       WHERE r.organization_id = ${organizationId}::uuid ${domainFilter} AND r.address > ${after}
       ORDER BY r.address
       LIMIT ${BATCH_SIZE}`;
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      id: row.id,
      address: `${row.pattern}@${row.domain}`,
      domain: row.domain,
      pattern: row.pattern,
      queue: row.queue,
      priority: row.priority,
      skills: row.skills ?? [],
      language: row.language,
      fromName: row.from_name,
      fromEmail: row.from_email,
      replyEmailAddress: row.reply_address,
      autoBcc: row.auto_bcc ?? [],
      historyInclusion: row.history_inclusion,
      allowMultipleActions: row.allow_multiple_actions,
      spamQueue: row.spam_queue,
      status: routeStatusFor(row.domain_status),
      version: row.version,
      updatedAt: row.updated_at.toISOString(),
    }));
    after = rows[rows.length - 1]!.address;
    if (rows.length < BATCH_SIZE) return;
  }
}

/** toCsvLine guards every text cell against formulas; list cells escape their separators. */
function csvLine(route: ExportedRoute): string {
  return toCsvLine([
    route.domain,
    route.pattern,
    route.queue,
    route.priority,
    joinCell(route.skills),
    route.language,
    route.fromName,
    route.fromEmail,
    route.replyEmailAddress,
    joinCell(route.autoBcc),
    route.historyInclusion,
    route.allowMultipleActions,
    route.spamQueue,
    route.address,
    route.status,
    route.id,
    route.version,
    route.updatedAt,
  ]);
}

/** The whole export as a stream of text chunks (CSV lines, or one JSON array). */
export function exportRoutes(db: DbClient, organizationId: string, format: "csv" | "json", domainId?: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = exportBatches(db, organizationId, domainId);
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(format === "csv" ? `${toCsvLine([...CSV_COLUMNS, ...EXPORT_ONLY_COLUMNS])}\n` : "["));
      }
      const next = await batches.next();
      if (next.done) {
        if (format === "json") controller.enqueue(encoder.encode(first ? "]\n" : "\n]\n"));
        controller.close();
        return;
      }
      const text =
        format === "csv"
          ? next.value.map((route) => `${csvLine(route)}\n`).join("")
          : next.value.map((route) => `${first ? ((first = false), "\n") : ",\n"}${JSON.stringify(route)}`).join("");
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

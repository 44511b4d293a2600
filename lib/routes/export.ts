import "server-only";

import { getDb, type DbClient } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";

import { CSV_COLUMNS, EXPORT_ONLY_COLUMNS, joinCell, toCsvLine, toCsvLines } from "./csv";
import { selectRouteRecords, type RouteRecord } from "./queries";
import { routeStatusFor } from "./status";
import type { ExportedRoute } from "./types";

/**
 * Export of every route of an organisation (optionally one domain), as CSV in the import format or
 * as JSON. Streams in address order, a batch at a time with keyset pagination, so 100,000 routes
 * never sit in memory at once and each batch is one indexed query (the list's route query).
 */

const BATCH_SIZE = 2_000;

function exported(record: RouteRecord): ExportedRoute {
  return {
    id: record.id,
    address: `${record.pattern}@${record.domain_name}`,
    domain: record.domain_name,
    pattern: record.pattern,
    queue: record.queue_name,
    priority: record.priority,
    skills: record.skill_names ?? [],
    language: record.language_name,
    fromName: record.from_name,
    fromEmail: record.from_email,
    replyEmailAddress: record.reply_address,
    autoBcc: record.auto_bcc ?? [],
    historyInclusion: record.history_inclusion,
    allowMultipleActions: record.allow_multiple_actions,
    spamQueue: record.spam_queue_name,
    status: routeStatusFor(record.domain_status),
    version: record.version,
    updatedAt: record.updated_at.toISOString(),
  };
}

async function* exportBatches(db: DbClient, organizationId: string, domainId?: string): AsyncGenerator<ExportedRoute[]> {
  const domainFilter = domainId ? Prisma.sql`AND r.domain_id = ${domainId}::uuid` : Prisma.empty;
  let after = "";
  for (;;) {
    const records = await selectRouteRecords(
      db,
      Prisma.sql`r.organization_id = ${organizationId}::uuid ${domainFilter} AND r.address > ${after}`,
      Prisma.sql`ORDER BY r.address LIMIT ${BATCH_SIZE}`,
    );
    if (records.length === 0) return;
    yield records.map(exported);
    after = records[records.length - 1]!.address_key;
    if (records.length < BATCH_SIZE) return;
  }
}

/** The cells of a CSV line, in the order of the header; toCsvLines guards every text cell against formulas. */
function csvCells(route: ExportedRoute) {
  return [
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
  ];
}

/** The whole export as a stream of text chunks (CSV lines, or one JSON array). */
export function exportRoutes(organizationId: string, format: "csv" | "json", domainId?: string, db: DbClient = getDb()): ReadableStream<Uint8Array> {
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
          ? toCsvLines(next.value.map(csvCells))
          : next.value.map((route) => `${first ? ((first = false), "\n") : ",\n"}${JSON.stringify(route)}`).join("");
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

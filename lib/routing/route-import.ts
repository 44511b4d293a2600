import "server-only";

import { randomUUID } from "node:crypto";

import { recordAudit } from "@/lib/audit/audit";
import type { Database, DbClient, Prisma } from "@/lib/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors-prisma";
import { checkHostname } from "@/lib/domains/hostname";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from "@/lib/validation/plain-text";

import { addressKey, checkEmailAddress } from "./address";
import { CSV_COLUMNS, fromSpreadsheetSafe, parseRoutesCsv, splitCell, type CsvColumn, type CsvRow, type ParsedCsv } from "./route-csv";
import { createRouteSchema, HISTORY_INCLUSIONS, type RouteValues } from "./route-schemas";
import { isDomainVerified, type DomainStatusName } from "./route-status";
import { lockDomainRoutes, routeLimitMessage, type ChangeActor, type RouteLimits } from "./routes";

/**
 * CSV import of routes: a dry run that reports every problem by line before anything is written,
 * then an all-or-nothing apply that checks everything again inside one transaction and inserts
 * all rows with one statement per table. Catalogues are loaded once and rows are checked in
 * memory; the database is asked in bulk (existing addresses, reply addresses, counts per domain).
 */

export interface ImportIssue {
  line: number;
  column: CsvColumn | null;
  message: string;
}

export interface ImportReport {
  rowCount: number;
  validCount: number;
  /** Lines with at least one problem. */
  errorLineCount: number;
  issues: ImportIssue[];
  /** More problems were found than are listed. */
  issuesTruncated: boolean;
  fileErrors: string[];
  ignoredColumns: string[];
  /** Routes the file would add, per domain. */
  domains: { name: string; count: number }[];
  /** Set by an apply: how many routes were created (0 when anything was wrong). */
  created: number;
  applied: boolean;
}

export const MAX_LISTED_ISSUES = 500;

const FIELD_COLUMN: Record<keyof RouteValues, CsvColumn> = {
  domainId: "domain",
  pattern: "pattern",
  queueId: "queue",
  priority: "priority",
  skillIds: "skills",
  languageId: "language",
  fromName: "fromName",
  fromEmail: "fromEmail",
  replyRouteId: "replyEmailAddress",
  autoBcc: "autoBcc",
  historyInclusion: "historyInclusion",
  allowMultipleActions: "allowMultipleActions",
  spamQueueId: "spamQueue",
};

interface DomainRef {
  id: string;
  name: string;
  displayName: string;
  status: DomainStatusName;
}

interface Catalogues {
  domains: Map<string, DomainRef>;
  queues: Map<string, string>;
  skills: Map<string, string>;
  languages: Map<string, string>;
}

interface PreparedRow {
  line: number;
  id: string;
  values: RouteValues;
  domain: DomainRef;
  patternKey: string;
  address: string;
  /** replyEmailAddress, normalised; resolved to a route id once the whole file is known. */
  replyAddress: string | null;
}

async function loadCatalogues(db: DbClient, organizationId: string): Promise<Catalogues> {
  const [domains, queues, skills, languages] = await Promise.all([
    db.domain.findMany({ where: { organizationId }, select: { id: true, name: true, displayName: true, status: true } }),
    db.queue.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }),
    db.skill.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }),
    db.language.findMany({ where: { organizationId }, select: { id: true, nameKey: true } }),
  ]);
  const domainMap = new Map<string, DomainRef>();
  for (const domain of domains) {
    domainMap.set(domain.name, domain);
    domainMap.set(domain.displayName.toLowerCase(), domain);
  }
  const byName = (rows: { id: string; nameKey: string }[]) => new Map(rows.map((row) => [row.nameKey, row.id]));
  return { domains: domainMap, queues: byName(queues), skills: byName(skills), languages: byName(languages) };
}

const PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";

/** Checks one row against the catalogues and the route rules; no database access. */
function prepareRow(row: CsvRow, catalogues: Catalogues, issues: ImportIssue[]): PreparedRow | null {
  const { line } = row;
  const before = issues.length;
  const problem = (column: CsvColumn, message: string) => issues.push({ line, column, message });
  // A cell with a NUL byte or another control character (the database would refuse it, a line
  // break in a name would split a mail header) is reported as such; the rest of the line is
  // checked with that cell left empty.
  const controlled = CSV_COLUMNS.filter((column) => hasControlCharacter(row.values[column] ?? ""));
  for (const column of controlled) problem(column, CONTROL_CHARACTER_MESSAGE);
  const values: CsvRow["values"] = { ...row.values, ...Object.fromEntries(controlled.map((column) => [column, ""])) };
  const text = (column: CsvColumn) => values[column] ?? "";

  let domain: DomainRef | undefined;
  const domainText = values.domain ?? "";
  if (domainText === "") problem("domain", "Enter the domain of the address");
  else {
    const checked = checkHostname(domainText);
    domain = checked.ok ? catalogues.domains.get(checked.ascii) : catalogues.domains.get(domainText.toLowerCase());
    if (!domain) problem("domain", `${domainText} is not one of your organisation's domains`);
  }
  const lookup = (column: CsvColumn, catalogue: Map<string, string>, noun: string): string | null => {
    const name = text(column);
    if (name === "") return null;
    const id = catalogue.get(name.toLowerCase());
    if (!id) problem(column, `There is no ${noun} named "${name}"; create it on the Queues page first`);
    return id ?? PLACEHOLDER_ID;
  };
  const queueId = lookup("queue", catalogues.queues, "queue");
  const spamQueueId = lookup("spamQueue", catalogues.queues, "queue");
  const languageId = lookup("language", catalogues.languages, "language");
  const skillIds = splitCell(values.skills).map((name) => {
    // Older exports guarded each skill of the cell on its own ("'=A;'=B").
    const id = catalogues.skills.get(name.toLowerCase()) ?? catalogues.skills.get(fromSpreadsheetSafe(name).toLowerCase());
    if (!id) problem("skills", `There is no skill named "${name}"; create it on the Queues page first`);
    return id ?? PLACEHOLDER_ID;
  });

  let replyAddress: string | null = null;
  const replyText = values.replyEmailAddress ?? "";
  if (replyText !== "") {
    const checked = checkEmailAddress(replyText);
    if (checked.ok) replyAddress = addressKey(checked.localPart, checked.domain);
    else problem("replyEmailAddress", checked.error);
  }

  const history = values.historyInclusion ?? "";
  const historyInclusion = HISTORY_INCLUSIONS.find((option) => option.toLowerCase() === history.toLowerCase()) ?? history;
  const parsed = createRouteSchema.safeParse({
    domainId: domain?.id ?? PLACEHOLDER_ID,
    pattern: values.pattern ?? "",
    queueId: queueId ?? "",
    priority: values.priority ?? "",
    skillIds,
    languageId,
    fromName: text("fromName"),
    fromEmail: values.fromEmail ?? "",
    replyRouteId: replyText === "" ? null : PLACEHOLDER_ID,
    autoBcc: splitCell(values.autoBcc),
    historyInclusion,
    allowMultipleActions: values.allowMultipleActions ?? "",
    spamQueueId,
  });
  if (!parsed.success) {
    const reported = new Set(issues.slice(before).map((issue) => issue.column));
    for (const issue of parsed.error.issues) {
      const column = FIELD_COLUMN[issue.path[0] as keyof RouteValues] ?? null;
      if (column && reported.has(column)) continue; // already explained in the catalogue's words
      issues.push({ line, column, message: issue.message });
    }
  }
  if (parsed.success && parsed.data.fromEmail) {
    const checked = checkEmailAddress(parsed.data.fromEmail);
    const fromDomain = checked.ok ? catalogues.domains.get(checked.domain) : undefined;
    if (!fromDomain) problem("fromEmail", "Use an address on one of your organisation's verified domains");
    else if (!isDomainVerified(fromDomain.status)) problem("fromEmail", `${fromDomain.displayName} is not verified yet; replies can only come from a verified domain`);
  }
  // An emptied cell's own complaints ("Enter the domain…") would only repeat its first problem.
  const rest = issues.splice(before + controlled.length).filter((issue) => !(controlled as (CsvColumn | null)[]).includes(issue.column));
  issues.push(...rest);
  if (issues.length > before || !parsed.success || !domain) return null;
  return {
    line,
    id: randomUUID(),
    values: parsed.data,
    domain,
    patternKey: parsed.data.pattern.toLowerCase(),
    address: addressKey(parsed.data.pattern, domain.name),
    replyAddress,
  };
}

interface Validation {
  report: ImportReport;
  rows: PreparedRow[];
}

async function validate(db: DbClient, organizationId: string, parsed: ParsedCsv, limits: RouteLimits): Promise<Validation> {
  const report: ImportReport = {
    rowCount: parsed.rows.length,
    validCount: 0,
    errorLineCount: 0,
    issues: [],
    issuesTruncated: false,
    fileErrors: parsed.fileErrors,
    ignoredColumns: parsed.ignoredColumns,
    domains: [],
    created: 0,
    applied: false,
  };
  if (parsed.fileErrors.length > 0) return { report, rows: [] };

  const catalogues = await loadCatalogues(db, organizationId);
  const issues: ImportIssue[] = [];
  const prepared: PreparedRow[] = [];
  const firstLineByAddress = new Map<string, number>();
  for (const row of parsed.rows) {
    const ready = prepareRow(row, catalogues, issues);
    if (!ready) continue;
    const earlier = firstLineByAddress.get(ready.address);
    if (earlier !== undefined) {
      issues.push({ line: ready.line, column: "pattern", message: `${ready.values.pattern}@${ready.domain.displayName} is already on line ${earlier} of this file` });
      continue;
    }
    firstLineByAddress.set(ready.address, ready.line);
    prepared.push(ready);
  }

  // Addresses that already have a route, in one query over the unique index.
  if (prepared.length > 0) {
    const taken = await db.$queryRaw<{ address: string }[]>`
      SELECT r.address FROM routes r
        JOIN unnest(${prepared.map((row) => row.domain.id)}::uuid[], ${prepared.map((row) => row.patternKey)}::text[]) AS f(domain_id, pattern_key)
          ON r.domain_id = f.domain_id AND r.pattern_key = f.pattern_key
       WHERE r.organization_id = ${organizationId}::uuid`;
    const takenSet = new Set(taken.map((row) => row.address));
    for (const row of prepared) {
      if (takenSet.has(row.address)) {
        issues.push({ line: row.line, column: "pattern", message: `${row.values.pattern}@${row.domain.displayName} already has a route` });
      }
    }
  }

  // Reply addresses: a route in this file, or one that exists already.
  const idByAddress = new Map(prepared.map((row) => [row.address, row.id]));
  const wanted = [...new Set(prepared.flatMap((row) => (row.replyAddress && !idByAddress.has(row.replyAddress) ? [row.replyAddress] : [])))];
  if (wanted.length > 0) {
    const existing = await db.route.findMany({ where: { organizationId, address: { in: wanted } }, select: { id: true, address: true } });
    for (const route of existing) idByAddress.set(route.address, route.id);
  }
  for (const row of prepared) {
    if (!row.replyAddress) continue;
    const replyId = idByAddress.get(row.replyAddress);
    if (!replyId) issues.push({ line: row.line, column: "replyEmailAddress", message: `No route has the address ${row.replyAddress}, in your organisation or in this file` });
    else if (replyId === row.id) issues.push({ line: row.line, column: "replyEmailAddress", message: "Replies already come from this route's own address; leave it empty" });
    else row.values.replyRouteId = replyId;
  }

  const badLines = new Set(issues.map((issue) => issue.line));
  const rows = prepared.filter((row) => !badLines.has(row.line));

  // Routes per domain, counting what exists and what the file adds.
  const perDomain = new Map<string, { domain: DomainRef; count: number }>();
  for (const row of rows) {
    const entry = perDomain.get(row.domain.id) ?? { domain: row.domain, count: 0 };
    entry.count += 1;
    perDomain.set(row.domain.id, entry);
  }
  if (perDomain.size > 0) {
    const existing = await db.route.groupBy({
      by: ["domainId"],
      where: { organizationId, domainId: { in: [...perDomain.keys()] } },
      _count: { _all: true },
    });
    const existingCount = new Map(existing.map((group) => [group.domainId, group._count._all]));
    for (const [domainId, { domain, count }] of perDomain) {
      const total = (existingCount.get(domainId) ?? 0) + count;
      if (total > limits.maxRoutesPerDomain) {
        report.fileErrors.push(
          `${routeLimitMessage(domain.displayName, limits.maxRoutesPerDomain)} This file would bring it to ${total.toLocaleString("en")}.`,
        );
      }
    }
  }

  const columnOrder = (column: CsvColumn | null) => (column ? CSV_COLUMNS.indexOf(column) : -1);
  issues.sort((a, b) => a.line - b.line || columnOrder(a.column) - columnOrder(b.column));
  report.errorLineCount = badLines.size;
  report.validCount = rows.length;
  report.issues = issues.slice(0, MAX_LISTED_ISSUES);
  report.issuesTruncated = issues.length > MAX_LISTED_ISSUES;
  report.domains = [...perDomain.values()]
    .map(({ domain, count }) => ({ name: domain.displayName, count }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { report, rows };
}

export async function previewRouteImport(db: DbClient, organizationId: string, text: string, limits: RouteLimits): Promise<ImportReport> {
  return (await validate(db, organizationId, parseRoutesCsv(text), limits)).report;
}

function isClean(report: ImportReport): boolean {
  return report.fileErrors.length === 0 && report.errorLineCount === 0 && report.validCount > 0;
}

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
export async function applyRouteImport(
  db: Database,
  actor: ChangeActor,
  text: string,
  limits: RouteLimits,
  options: { fileName?: string } = {},
): Promise<ImportReport> {
  const { organizationId } = actor;
  const parsed = parseRoutesCsv(text);
  if (parsed.fileErrors.length > 0) return (await validate(db, organizationId, parsed, limits)).report;
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
        const { report, rows } = await validate(tx, organizationId, parsed, limits);
        if (!isClean(report)) return report;
        await insertRows(tx, organizationId, rows);
        await recordAudit(tx, actor, {
          action: "routes.import",
          entityType: "routes",
          entityLabel: options.fileName ? `Import of ${options.fileName}` : "CSV import",
          after: { created: rows.length, rows: report.rowCount, domains: Object.fromEntries(report.domains.map((d) => [d.name, d.count])) },
        });
        return { ...report, created: rows.length, applied: true };
      },
      { maxWait: 10_000, timeout: 120_000 },
    );
  } catch (error) {
    // Someone created one of these addresses, or deleted a queue, skill or language the file names,
    // between the check and the insert: nothing was written; check afresh so the report says what.
    if (isUniqueViolation(error) || isForeignKeyViolation(error)) {
      const report = (await validate(db, organizationId, parsed, limits)).report;
      return { ...report, fileErrors: [...report.fileErrors, "Something the file depends on changed while it was being imported; nothing was imported."] };
    }
    throw error;
  }
}

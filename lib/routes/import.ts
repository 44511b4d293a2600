import "server-only";

import { randomUUID } from "node:crypto";

import { getPool, type Queryable } from "@/lib/db/client";
import { checkHostname } from "@/lib/domains/hostname";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from "@/lib/validation/plain-text";

import { addressKey, checkEmailAddress } from "./address";
import { CSV_COLUMNS, fromSpreadsheetSafe, parseRoutesCsv, splitCell, type CsvColumn, type CsvRow, type ParsedCsv } from "./csv";
import { referenceErrors, routeLimitMessage, type KnownDomain, type KnownReferences } from "./rules";
import { createRouteSchema, crossFieldProblems, HISTORY_INCLUSIONS, type RouteValues } from "./schemas";
import type { ImportIssue, ImportReport, RouteLimits } from "./types";

/**
 * CSV import of routes, the checking half: every problem of a file by line, before anything is
 * written (the dry run), and again inside the apply's transaction (commands/import-routes.ts). Catalogues are loaded once and rows are checked in
 * memory; the database is asked in bulk (existing addresses, reply addresses, counts per domain).
 */

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

type DomainRef = KnownDomain;

interface Catalogues {
  domains: Map<string, DomainRef>;
  queues: Map<string, string>;
  skills: Map<string, string>;
  languages: Map<string, string>;
}

export interface PreparedRow {
  line: number;
  id: string;
  values: RouteValues;
  domain: DomainRef;
  patternKey: string;
  address: string;
  /** replyEmailAddress, normalised; resolved to a route id once the whole file is known. */
  replyAddress: string | null;
}

/** The organisation's domains, queues, skills and languages: four small tables, in one statement. */
async function loadCatalogues(db: Queryable, organizationId: string): Promise<Catalogues> {
  const keyed = (table: string) =>
    `(SELECT coalesce(json_agg(json_build_object('id', id, 'nameKey', name_key)), '[]') FROM ${table} WHERE organization_id = $1::uuid) AS ${table}`;
  const { rows } = await db.query<{
    domains: DomainRef[];
    queues: { id: string; nameKey: string }[];
    skills: { id: string; nameKey: string }[];
    languages: { id: string; nameKey: string }[];
  }>(
    `SELECT (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'displayName', display_name, 'status', status)), '[]')
               FROM domains WHERE organization_id = $1::uuid) AS domains,
            ${keyed("queues")}, ${keyed("skills")}, ${keyed("languages")}`,
    [organizationId],
  );
  const { domains, queues, skills, languages } = rows[0]!;
  const domainMap = new Map<string, DomainRef>();
  for (const domain of domains) {
    domainMap.set(domain.name, domain);
    domainMap.set(domain.displayName.toLowerCase(), domain);
  }
  const byName = (rows: { id: string; nameKey: string }[]) => new Map(rows.map((row) => [row.nameKey, row.id]));
  return { domains: domainMap, queues: byName(queues), skills: byName(skills), languages: byName(languages) };
}

/** The file's references, for the reference check every route write shares (lib/routes/rules.ts). */
function knownReferences(catalogues: Catalogues, routeIds: Iterable<string>): KnownReferences {
  return {
    queueIds: new Set(catalogues.queues.values()),
    skillIds: new Set(catalogues.skills.values()),
    languageIds: new Set(catalogues.languages.values()),
    routeIds: new Set(routeIds),
    domainsByName: catalogues.domains,
  };
}

/** Field errors (of the schema or the reference check) as issues on the columns they concern. */
function pushFieldIssues(issues: ImportIssue[], line: number, errors: { field: string | undefined; message: string }[], skip: ReadonlySet<CsvColumn | null>) {
  for (const { field, message } of errors) {
    const column = FIELD_COLUMN[field as keyof RouteValues] ?? null;
    if (column && skip.has(column)) continue; // already explained in the catalogue's words
    issues.push({ line, column, message });
  }
}

/**
 * Checks one row against the catalogues, the route rules and the reference check; no database
 * access. A name the catalogues do not know is reported in their words and left out of what the
 * schema sees; the reply route is resolved once the whole file is known (validate, below).
 */
/** A file names the same few domains on every line: each distinct text is checked once. */
function memoised<T>(check: (text: string) => T): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    let result = seen.get(text);
    if (result === undefined) {
      result = check(text);
      seen.set(text, result);
    }
    return result;
  };
}

interface Checks {
  hostname: typeof checkHostname;
  emailAddress: typeof checkEmailAddress;
}

function prepareRow(row: CsvRow, catalogues: Catalogues, known: KnownReferences, checks: Checks, issues: ImportIssue[]): PreparedRow | null {
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
    const checked = checks.hostname(domainText);
    domain = checked.ok ? catalogues.domains.get(checked.ascii) : catalogues.domains.get(domainText.toLowerCase());
    if (!domain) problem("domain", `${domainText} is not one of your organisation's domains`);
  }
  const lookup = (column: CsvColumn, catalogue: Map<string, string>, noun: string): string | null => {
    const name = text(column);
    if (name === "") return null;
    const id = catalogue.get(name.toLowerCase());
    if (!id) problem(column, `There is no ${noun} named "${name}"; create it on the Queues page first`);
    return id ?? null;
  };
  const queueId = lookup("queue", catalogues.queues, "queue");
  const spamQueueId = lookup("spamQueue", catalogues.queues, "queue");
  const languageId = lookup("language", catalogues.languages, "language");
  const skillIds = splitCell(values.skills).flatMap((name) => {
    // Older exports guarded each skill of the cell on its own ("'=A;'=B").
    const id = catalogues.skills.get(name.toLowerCase()) ?? catalogues.skills.get(fromSpreadsheetSafe(name).toLowerCase());
    if (!id) problem("skills", `There is no skill named "${name}"; create it on the Queues page first`);
    return id ? [id] : [];
  });

  let replyAddress: string | null = null;
  const replyText = values.replyEmailAddress ?? "";
  if (replyText !== "") {
    const checked = checks.emailAddress(replyText);
    if (checked.ok) replyAddress = addressKey(checked.localPart, checked.domain);
    else problem("replyEmailAddress", checked.error);
  }

  const history = values.historyInclusion ?? "";
  const historyInclusion = HISTORY_INCLUSIONS.find((option) => option.toLowerCase() === history.toLowerCase()) ?? history;
  const parsed = createRouteSchema.safeParse({
    domainId: domain?.id ?? "",
    pattern: values.pattern ?? "",
    queueId: queueId ?? "",
    priority: values.priority ?? "",
    skillIds,
    languageId,
    fromName: text("fromName"),
    fromEmail: values.fromEmail ?? "",
    replyRouteId: null,
    autoBcc: splitCell(values.autoBcc),
    historyInclusion,
    allowMultipleActions: values.allowMultipleActions ?? "",
    spamQueueId,
  });
  const reported = new Set(issues.slice(before).map((issue) => issue.column));
  if (!parsed.success) {
    pushFieldIssues(issues, line, parsed.error.issues.map((issue) => ({ field: issue.path[0] as string | undefined, message: issue.message })), reported);
  } else {
    // The rules between fields, with the reply route standing for itself until it is resolved.
    const crossField = crossFieldProblems({ ...parsed.data, replyRouteId: replyText === "" ? null : replyText });
    pushFieldIssues(issues, line, crossField, reported);
    // fromEmail's domain, and that every id is the organisation's (names were resolved from its catalogues).
    const references = crossField.length > 0 ? {} : referenceErrors(parsed.data, known);
    pushFieldIssues(issues, line, Object.entries(references).flatMap(([field, messages]) => messages.map((message) => ({ field, message }))), reported);
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

export interface Validation {
  report: ImportReport;
  rows: PreparedRow[];
}

export async function validateRouteImport(db: Queryable, organizationId: string, parsed: ParsedCsv, limits: RouteLimits): Promise<Validation> {
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
  const withoutRoutes = knownReferences(catalogues, []);
  const checks: Checks = { hostname: memoised(checkHostname), emailAddress: memoised(checkEmailAddress) };
  for (const row of parsed.rows) {
    const ready = prepareRow(row, catalogues, withoutRoutes, checks, issues);
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
    // One JSON parameter rather than two 10,000-element arrays: cheaper for the driver and Prisma.
    const keys = JSON.stringify(prepared.map((row) => ({ domain_id: row.domain.id, pattern_key: row.patternKey })));
    const { rows: taken } = await db.query<{ address: string }>(
      `SELECT r.address FROM routes r
         JOIN json_to_recordset($2::json) AS f(domain_id uuid, pattern_key text)
           ON r.domain_id = f.domain_id AND r.pattern_key = f.pattern_key
        WHERE r.organization_id = $1::uuid`,
      [organizationId, keys],
    );
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
    const { rows: existing } = await db.query<{ id: string; address: string }>(
      "SELECT id, address FROM routes WHERE organization_id = $1::uuid AND address = ANY($2::text[])",
      [organizationId, wanted],
    );
    for (const route of existing) idByAddress.set(route.address, route.id);
  }
  const known = knownReferences(catalogues, idByAddress.values());
  for (const row of prepared) {
    if (!row.replyAddress) continue;
    const replyId = idByAddress.get(row.replyAddress);
    if (!replyId) {
      issues.push({ line: row.line, column: "replyEmailAddress", message: `No route has the address ${row.replyAddress}, in your organisation or in this file` });
      continue;
    }
    row.values.replyRouteId = replyId;
    const problems = referenceErrors(row.values, known, row.id).replyRouteId ?? [];
    for (const message of problems) issues.push({ line: row.line, column: "replyEmailAddress", message });
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
    const { rows: existing } = await db.query<{ domain_id: string; count: number }>(
      "SELECT domain_id, count(*)::int AS count FROM routes WHERE organization_id = $1::uuid AND domain_id = ANY($2::uuid[]) GROUP BY domain_id",
      [organizationId, [...perDomain.keys()]],
    );
    const existingCount = new Map(existing.map((group) => [group.domain_id, group.count]));
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

export async function previewRouteImport(organizationId: string, text: string, limits: RouteLimits, db: Queryable = getPool()): Promise<ImportReport> {
  return (await validateRouteImport(db, organizationId, parseRoutesCsv(text), limits)).report;
}

/** A report whose every row can be created. */
export function isClean(report: ImportReport): boolean {
  return report.fileErrors.length === 0 && report.errorLineCount === 0 && report.validCount > 0;
}

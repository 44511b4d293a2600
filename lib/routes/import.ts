import "server-only";

import { randomUUID } from "node:crypto";

import { getPool, type Queryable } from "@/lib/db/client";
import { checkHostname } from "@/lib/domains/hostname";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from "@/lib/validation/plain-text";

import { addressKey, checkEmailAddress } from "./address";
import { CSV_COLUMNS, fromSpreadsheetSafe, parseRoutesCsv, splitCell, type CsvColumn, type CsvRow, type ParsedCsv } from "./csv";
import { referenceErrors, routeLimitMessage, type KnownDomain, type KnownReferences } from "./rules";
import { crossFieldProblems, HISTORY_INCLUSIONS, routeRowParser, type RouteValues } from "./schemas";
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
  route: ReturnType<typeof routeRowParser>;
}

const NOTHING_REPORTED: ReadonlySet<CsvColumn | null> = new Set();

/**
 * Checks one row against the catalogues, the route rules and the reference check; no database
 * access. A name the catalogues do not know is reported in their words and left out of what the
 * schema sees; the reply route is resolved once the whole file is known (validate, below).
 */
function prepareRow(row: CsvRow, catalogues: Catalogues, known: KnownReferences, checks: Checks, issues: ImportIssue[]): PreparedRow | null {
  const { line } = row;
  const before = issues.length;
  const problem = (column: CsvColumn, message: string) => issues.push({ line, column, message });
  // A cell with a NUL byte or another control character (the database would refuse it, a line
  // break in a name would split a mail header) is reported as such; the rest of the line is
  // checked with that cell left empty.
  let values = row.values;
  let controlled: CsvColumn[] | null = null;
  for (const column of CSV_COLUMNS) {
    const cell = values[column];
    if (cell && hasControlCharacter(cell)) (controlled ??= []).push(column);
  }
  if (controlled) {
    values = { ...values };
    for (const column of controlled) {
      problem(column, CONTROL_CHARACTER_MESSAGE);
      values[column] = "";
    }
  }

  let domain: DomainRef | undefined;
  const domainText = values.domain ?? "";
  if (domainText === "") problem("domain", "Enter the domain of the address");
  else {
    const checked = checks.hostname(domainText);
    domain = checked.ok ? catalogues.domains.get(checked.ascii) : catalogues.domains.get(domainText.toLowerCase());
    if (!domain) problem("domain", `${domainText} is not one of your organisation's domains`);
  }
  const lookup = (column: CsvColumn, catalogue: Map<string, string>, noun: string): string | null => {
    const name = values[column] ?? "";
    if (name === "") return null;
    const id = catalogue.get(name.toLowerCase());
    if (!id) problem(column, `There is no ${noun} named "${name}"; create it on the Queues page first`);
    return id ?? null;
  };
  const queueId = lookup("queue", catalogues.queues, "queue");
  const spamQueueId = lookup("spamQueue", catalogues.queues, "queue");
  const languageId = lookup("language", catalogues.languages, "language");
  const skillIds: string[] = [];
  for (const name of splitCell(values.skills)) {
    // Older exports guarded each skill of the cell on its own ("'=A;'=B").
    const id = catalogues.skills.get(name.toLowerCase()) ?? catalogues.skills.get(fromSpreadsheetSafe(name).toLowerCase());
    if (id) skillIds.push(id);
    else problem("skills", `There is no skill named "${name}"; create it on the Queues page first`);
  }

  let replyAddress: string | null = null;
  const replyText = values.replyEmailAddress ?? "";
  if (replyText !== "") {
    const checked = checks.emailAddress(replyText);
    if (checked.ok) replyAddress = addressKey(checked.localPart, checked.domain);
    else problem("replyEmailAddress", checked.error);
  }

  const history = values.historyInclusion ?? "";
  const historyInclusion = HISTORY_INCLUSIONS.find((option) => option.toLowerCase() === history.toLowerCase()) ?? history;
  const parsed = checks.route({
    domainId: domain?.id ?? "",
    pattern: values.pattern ?? "",
    queueId: queueId ?? "",
    priority: values.priority ?? "",
    skillIds,
    languageId,
    fromName: values.fromName ?? "",
    fromEmail: values.fromEmail ?? "",
    replyRouteId: null,
    autoBcc: splitCell(values.autoBcc),
    historyInclusion,
    allowMultipleActions: values.allowMultipleActions ?? "",
    spamQueueId,
  });
  // Columns already explained in the catalogue's words are not explained again by the schema.
  const reported = issues.length === before ? NOTHING_REPORTED : new Set(issues.slice(before).map((issue) => issue.column));
  if (!parsed.success) {
    pushFieldIssues(issues, line, parsed.issues, reported);
  } else {
    // The rules between fields, with the reply route standing for itself until it is resolved.
    const crossField = crossFieldProblems(replyText === "" ? parsed.data : { ...parsed.data, replyRouteId: replyText });
    pushFieldIssues(issues, line, crossField, reported);
    // fromEmail's domain, and that every id is the organisation's (names were resolved from its catalogues).
    const references = crossField.length > 0 ? {} : referenceErrors(parsed.data, known);
    for (const field in references) pushFieldIssues(issues, line, references[field]!.map((message) => ({ field, message })), reported);
  }
  if (controlled) {
    // An emptied cell's own complaints ("Enter the domain…") would only repeat its first problem.
    const emptied: (CsvColumn | null)[] = controlled;
    const rest = issues.splice(before + controlled.length).filter((issue) => !emptied.includes(issue.column));
    issues.push(...rest);
  }
  if (issues.length > before || !parsed.success || !domain) return null;
  const pattern = parsed.data.pattern;
  return { line, id: randomUUID(), values: parsed.data, domain, patternKey: pattern.toLowerCase(), address: addressKey(pattern, domain.name), replyAddress };
}

/** Rows checked per step; while the database takes one step's rows, the next step's are checked. */
export const IMPORT_CHUNK_ROWS = 1_000;

/**
 * What an apply does with rows that passed every check so far: writes them in its transaction,
 * unless an address of theirs has a route already. Answers those addresses (and then writes
 * none of the rows). Without one (the dry run), the addresses are only looked up.
 */
export type ImportWriter = (rows: readonly PreparedRow[]) => Promise<string[]>;

export interface Validation {
  report: ImportReport;
  rows: PreparedRow[];
  /** Rows the writer wrote: all of `rows` when the report is clean. */
  written: number;
}

/** Addresses of `rows` that already have a route, in one query over the unique index. */
async function takenAddresses(db: Queryable, organizationId: string, rows: readonly PreparedRow[]): Promise<string[]> {
  // One JSON parameter rather than two long arrays: cheaper for the driver.
  const keys = JSON.stringify(rows.map((row) => ({ domain_id: row.domain.id, pattern_key: row.patternKey })));
  const { rows: taken } = await db.query<{ address: string }>(
    `SELECT r.address FROM routes r
       JOIN json_to_recordset($2::json) AS f(domain_id uuid, pattern_key text)
         ON r.domain_id = f.domain_id AND r.pattern_key = f.pattern_key
      WHERE r.organization_id = $1::uuid`,
    [organizationId, keys],
  );
  return taken.map((row) => row.address);
}

/** Lets the connection send and receive between steps of work that would otherwise hold the thread. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every check of a file, by line. With `write` (an apply, inside its transaction), rows are written
 * step by step while the rest of the file is checked — as long as every row so far is good; the
 * caller commits only a clean report, so a problem on the last line still leaves nothing stored.
 * The report is the same with or without `write`.
 */
export async function validateRouteImport(
  db: Queryable,
  organizationId: string,
  parsed: ParsedCsv,
  limits: RouteLimits,
  write?: ImportWriter,
): Promise<Validation> {
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
  if (parsed.fileErrors.length > 0) return { report, rows: [], written: 0 };

  const catalogues = await loadCatalogues(db, organizationId);
  const issues: ImportIssue[] = [];
  const prepared: PreparedRow[] = [];
  const firstLineByAddress = new Map<string, number>();
  const withoutRoutes = knownReferences(catalogues, []);
  const checks: Checks = { hostname: memoised(checkHostname), emailAddress: memoised(checkEmailAddress), route: routeRowParser() };

  // Existing addresses are looked up (or the rows written) a step at a time, while the next step is
  // checked. A statement that fails is remembered and thrown once the steps are done.
  const lookups: Promise<string[]>[] = [];
  const writtenPerDomain = new Map<string, number>();
  let written = 0;
  const failures: unknown[] = [];
  const settle = async (rows: readonly PreparedRow[]): Promise<string[]> => {
    if (rows.length === 0) return [];
    const writing = write !== undefined && issues.length === 0;
    try {
      const taken = await (writing ? write(rows) : takenAddresses(db, organizationId, rows));
      if (writing && taken.length === 0) {
        written += rows.length;
        for (const row of rows) writtenPerDomain.set(row.domain.id, (writtenPerDomain.get(row.domain.id) ?? 0) + 1);
      }
      return taken;
    } catch (error) {
      failures.push(error);
      return [];
    }
  };
  // A route whose replies come from another's address waits until every address of the file is known.
  const waiting: PreparedRow[] = [];
  for (let start = 0; start < parsed.rows.length; start += IMPORT_CHUNK_ROWS) {
    const step: PreparedRow[] = [];
    for (const row of parsed.rows.slice(start, start + IMPORT_CHUNK_ROWS)) {
      const ready = prepareRow(row, catalogues, withoutRoutes, checks, issues);
      if (!ready) continue;
      const earlier = firstLineByAddress.get(ready.address);
      if (earlier !== undefined) {
        issues.push({ line: ready.line, column: "pattern", message: `${ready.values.pattern}@${ready.domain.displayName} is already on line ${earlier} of this file` });
        continue;
      }
      firstLineByAddress.set(ready.address, ready.line);
      prepared.push(ready);
      (ready.replyAddress ? waiting : step).push(ready);
    }
    lookups.push(settle(step));
    await yieldToIo();
  }
  // Before anything else is asked: after a failed statement, the transaction answers nothing more.
  const taken = (await Promise.all(lookups)).flat();
  if (failures.length > 0) throw failures[0];

  // Reply addresses: a route in this file, or one that exists already.
  const idByAddress = new Map<string, string>();
  for (const row of prepared) idByAddress.set(row.address, row.id);
  const wanted = [...new Set(waiting.flatMap((row) => (row.replyAddress && !idByAddress.has(row.replyAddress) ? [row.replyAddress] : [])))];
  if (wanted.length > 0) {
    const { rows: existing } = await db.query<{ id: string; address: string }>(
      "SELECT id, address FROM routes WHERE organization_id = $1::uuid AND address = ANY($2::text[])",
      [organizationId, wanted],
    );
    for (const route of existing) idByAddress.set(route.address, route.id);
  }
  if (waiting.length > 0) {
    const known = knownReferences(catalogues, idByAddress.values());
    for (const row of waiting) {
      const replyId = idByAddress.get(row.replyAddress!);
      if (!replyId) {
        issues.push({ line: row.line, column: "replyEmailAddress", message: `No route has the address ${row.replyAddress}, in your organisation or in this file` });
        continue;
      }
      row.values.replyRouteId = replyId;
      const problems = referenceErrors(row.values, known, row.id).replyRouteId ?? [];
      for (const message of problems) issues.push({ line: row.line, column: "replyEmailAddress", message });
    }
  }
  taken.push(...(await settle(waiting)));
  if (failures.length > 0) throw failures[0];
  if (taken.length > 0) {
    const takenSet = new Set(taken);
    for (const row of prepared) {
      if (takenSet.has(row.address)) {
        issues.push({ line: row.line, column: "pattern", message: `${row.values.pattern}@${row.domain.displayName} already has a route` });
      }
    }
  }

  const badLines = new Set(issues.map((issue) => issue.line));
  const rows = badLines.size === 0 ? prepared : prepared.filter((row) => !badLines.has(row.line));

  // Routes per domain, counting what exists and what the file adds.
  const perDomain = new Map<string, { domain: DomainRef; count: number }>();
  for (const row of rows) {
    const entry = perDomain.get(row.domain.id) ?? { domain: row.domain, count: 0 };
    entry.count += 1;
    perDomain.set(row.domain.id, entry);
  }
  if (perDomain.size > 0) {
    // The counts the database keeps (domain_route_counts, decision 033), as the limit of a single create reads them.
    const { rows: existing } = await db.query<{ domain_id: string; count: number }>(
      `SELECT c.domain_id, c.routes AS count FROM domain_route_counts c JOIN domains d ON d.id = c.domain_id
        WHERE d.organization_id = $1::uuid AND c.domain_id = ANY($2::uuid[])`,
      [organizationId, [...perDomain.keys()]],
    );
    // What this apply wrote so far is in the count already.
    const existingCount = new Map(existing.map((group) => [group.domain_id, group.count - (writtenPerDomain.get(group.domain_id) ?? 0)]));
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
  return { report, rows, written };
}

export async function previewRouteImport(organizationId: string, text: string, limits: RouteLimits, db: Queryable = getPool()): Promise<ImportReport> {
  return (await validateRouteImport(db, organizationId, parseRoutesCsv(text), limits)).report;
}

/** A report whose every row can be created. */
export function isClean(report: ImportReport): boolean {
  return report.fileErrors.length === 0 && report.errorLineCount === 0 && report.validCount > 0;
}

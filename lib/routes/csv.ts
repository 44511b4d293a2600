import Papa from "papaparse";

import type { CsvColumn } from "./types";

/**
 * The CSV format of route import and export (docs/routes.md). Pure and browser-safe: the import
 * dialog offers a template built from the same columns. papaparse reads and writes it.
 */

export type { CsvColumn } from "./types";

export const CSV_COLUMNS = [
  "domain",
  "pattern",
  "queue",
  "priority",
  "skills",
  "language",
  "fromName",
  "fromEmail",
  "replyEmailAddress",
  "autoBcc",
  "historyInclusion",
  "allowMultipleActions",
  "spamQueue",
] as const satisfies readonly CsvColumn[];

/** Written by export for reading; import ignores them. */
export const EXPORT_ONLY_COLUMNS = ["address", "status", "id", "version", "updatedAt"] as const;

export const REQUIRED_COLUMNS: readonly CsvColumn[] = ["domain", "pattern", "queue", "fromName"];

/**
 * Separator of several values in one cell (skills, auto-BCC addresses); import also takes "|". A
 * value that contains either (or a backslash) has it escaped with a backslash: `Sales\;EU`.
 */
export const LIST_SEPARATOR = ";";

export const MAX_IMPORT_ROWS = 50_000;

/** "From name", "from_name" and "FROMNAME" all mean fromName. */
function columnKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, "");
}
const COLUMN_BY_KEY = new Map<string, CsvColumn | (typeof EXPORT_ONLY_COLUMNS)[number]>(
  [...CSV_COLUMNS, ...EXPORT_ONLY_COLUMNS].map((column) => [columnKey(column), column]),
);

export interface CsvRow {
  /** Line of the file where the row starts (the header is line 1). */
  line: number;
  values: Partial<Record<CsvColumn, string>>;
}

export interface ParsedCsv {
  rows: CsvRow[];
  /** Problems with the whole file (no rows are checked when there are any). */
  fileErrors: string[];
  ignoredColumns: string[];
}

export function parseRoutesCsv(input: string): ParsedCsv {
  // One line ending throughout, so that line numbers count what an editor shows.
  const text = input.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const rows: CsvRow[] = [];
  const fileErrors: string[] = [];
  let columns: (CsvColumn | null)[] | null = null;
  const ignoredColumns: string[] = [];
  let line = 1;
  let cursor = 0;
  let tooMany = false;

  Papa.parse<string[]>(text, {
    newline: "\n",
    delimiter: headerDelimiter(text),
    skipEmptyLines: false,
    step: (result, parser) => {
      const startLine = line;
      line += countNewlines(text, cursor, result.meta.cursor);
      cursor = result.meta.cursor;
      const cells = result.data;
      if (cells.length === 1 && cells[0]!.trim() === "") return; // blank line
      if (!columns) {
        columns = cells.map((header) => {
          const column = COLUMN_BY_KEY.get(columnKey(header)) ?? null;
          if (!column && header.trim() !== "") ignoredColumns.push(header.trim());
          return column && (CSV_COLUMNS as readonly string[]).includes(column) ? (column as CsvColumn) : null;
        });
        return;
      }
      if (rows.length >= MAX_IMPORT_ROWS) {
        tooMany = true;
        parser.abort();
        return;
      }
      const values: Partial<Record<CsvColumn, string>> = {};
      columns.forEach((column, index) => {
        if (column) values[column] = fromSpreadsheetSafe((cells[index] ?? "").trim());
      });
      rows.push({ line: startLine, values });
    },
  });

  const header: (CsvColumn | null)[] = columns ?? [];
  if (header.length === 0) {
    fileErrors.push("The file is empty. The first line must name the columns, e.g. domain,pattern,queue,fromName.");
  } else {
    const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
    if (missing.length > 0) {
      fileErrors.push(`The first line must name the columns; missing: ${missing.join(", ")}. Download the template to see the format.`);
    }
    if (rows.length === 0 && missing.length === 0) fileErrors.push("The file has a header line but no routes.");
  }
  if (tooMany) fileErrors.push(`A file may hold at most ${MAX_IMPORT_ROWS.toLocaleString("en")} routes; split it into several imports.`);
  return { rows, fileErrors, ignoredColumns };
}

/**
 * Spreadsheets in some locales save with ";" (or tabs). The header decides: column names never
 * contain a separator, whereas data cells may (a "|" or ";" in a name would fool a guess from them).
 */
function headerDelimiter(text: string): string {
  const end = text.indexOf("\n");
  const header = end === -1 ? text : text.slice(0, end);
  const counts = [",", ";", "\t"].map((delimiter) => [delimiter, header.split(delimiter).length - 1] as const);
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ",";
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf("\n", from); index !== -1 && index < to; index = text.indexOf("\n", index + 1)) count++;
  return count;
}

const LIST_ESCAPED = ["\\", ";", "|"];

/** The values of a list cell (skills, auto-BCC), separators escaped with a backslash taken as text. */
export function splitCell(value: string | undefined): string[] {
  const parts: string[] = [];
  let current = "";
  const text = value ?? "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    const next = text[index + 1];
    if (char === "\\" && next !== undefined && LIST_ESCAPED.includes(next)) {
      current += next;
      index++;
    } else if (char === ";" || char === "|") {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/** A list cell that splitCell reads back to the same values. */
export function joinCell(values: readonly string[]): string {
  return values.map((value) => value.replace(/[\\;|]/g, (char) => `\\${char}`)).join(LIST_SEPARATOR);
}

/**
 * A cell a spreadsheet would run as a formula — one starting with =, +, -, @ (or their full-width
 * forms), a tab, a carriage return or a line feed — gets a leading apostrophe, whatever its column (OWASP's rule
 * for CSV injection); parseRoutesCsv takes it off again, so an export imports back exactly. A value
 * that itself starts with apostrophes before such a character gets one more, for the same reason.
 */
const NEEDS_GUARD = /^'*[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;
export function spreadsheetSafe(text: string | null | undefined): string {
  if (!text) return "";
  return NEEDS_GUARD.test(text) ? `'${text}` : text;
}
export function fromSpreadsheetSafe(text: string): string {
  return text.startsWith("'") && NEEDS_GUARD.test(text.slice(1)) ? text.slice(1) : text;
}

type Cell = string | number | boolean | null | undefined;

/**
 * papaparse quotes what CSV needs (quotes, commas, line breaks, a leading or trailing space); we
 * also quote the other separators a spreadsheet may split on (";" and tabs) and any edge
 * whitespace, so that a file opened in a ";" locale keeps its cells.
 */
const UNPARSE_CONFIG: Papa.UnparseConfig = {
  newline: "\n",
  quotes: (value: unknown) => typeof value === "string" && (/[;\t]/.test(value) || value !== value.trim()),
};

/** Text cells guarded against formulas (papaparse's own escapeFormulae misses full-width forms and apostrophes). */
function guarded(cells: readonly Cell[]): (string | number | boolean | null)[] {
  return cells.map((cell) => (cell === undefined ? null : typeof cell === "string" ? spreadsheetSafe(cell) : cell));
}

/** One CSV line: text cells guarded against formulas, quoted where a separator or quote needs it. */
export function toCsvLine(cells: readonly Cell[]): string {
  return Papa.unparse([guarded(cells)], UNPARSE_CONFIG);
}

/** Several CSV lines, each ended by a line feed. */
export function toCsvLines(rows: readonly (readonly Cell[])[]): string {
  return rows.length === 0 ? "" : `${Papa.unparse(rows.map(guarded), UNPARSE_CONFIG)}\n`;
}

export const TEMPLATE_CSV = [
  toCsvLine(CSV_COLUMNS),
  toCsvLine(["help.example.com", "support", "Support", 5, "Billing;Returns", "English", "Example Support", "", "", "", "Optional", "false", ""]),
  toCsvLine(["help.example.com", "billing", "Billing", 3, "", "", "Example Billing", "", "support@help.example.com", "", "Include", "false", "Spam"]),
].join("\n");

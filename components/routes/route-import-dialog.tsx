"use client";

import { CheckCircle2, Download, FileWarning, Upload } from "lucide-react";
import { useState } from "react";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DialogContent } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { SimpleTable } from "@/components/ui/simple-table";
import { CSV_COLUMNS, MAX_IMPORT_ROWS, REQUIRED_COLUMNS, TEMPLATE_CSV } from "@/lib/routes/csv";
import type { ImportReport } from "@/lib/routes/types";

import { readJson } from "./routes-api";

async function sendFile(file: File, mode: "preview" | "apply"): Promise<ImportReport> {
  const params = new URLSearchParams({ mode, fileName: file.name.slice(0, 200) });
  const response = await fetch(`/api/routes/import?${params.toString()}`, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: file,
  });
  return (await readJson<{ data: ImportReport }>(response)).data;
}

function downloadTemplate(): void {
  const url = URL.createObjectURL(new Blob([`${TEMPLATE_CSV}\n`], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "routes-template.csv";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

const ISSUE_COLUMNS = ["Line", "Column", "Problem"] as const;

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

function ReportView({ report }: { report: ImportReport }) {
  const clean = report.fileErrors.length === 0 && report.errorLineCount === 0 && report.validCount > 0;
  return (
    <div className="space-y-3" data-testid="import-report">
      {report.fileErrors.map((message) => (
        <Alert key={message} tone="danger">
          {message}
        </Alert>
      ))}
      {report.fileErrors.length === 0 || report.rowCount > 0 ? (
        <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
          {clean ? <CheckCircle2 className="size-4 text-emerald-600" aria-hidden /> : <FileWarning className="size-4 text-red-600" aria-hidden />}
          {plural(report.rowCount, "row", "rows")}: {plural(report.validCount, "ready to import", "ready to import")}
          {report.errorLineCount > 0 ? `, ${plural(report.errorLineCount, "line has problems", "lines have problems")}` : ""}.
        </p>
      ) : null}
      {clean && report.domains.length > 0 ? (
        <ul className="list-disc pl-5 text-sm text-slate-700">
          {report.domains.map((domain) => (
            <li key={domain.name}>
              {plural(domain.count, "new route", "new routes")} on {domain.name}
            </li>
          ))}
        </ul>
      ) : null}
      {report.ignoredColumns.length > 0 ? (
        <p className="text-xs text-slate-600">Columns ignored (not part of the format): {report.ignoredColumns.join(", ")}</p>
      ) : null}
      {report.issues.length > 0 ? (
        <div className="relative max-h-72 overflow-auto rounded-md border border-slate-200">
          <SimpleTable caption="Problems by line; nothing is imported until every line is right" columns={ISSUE_COLUMNS} padding="sm" stickyHead>
            {report.issues.map((issue, index) => (
              <tr key={`${issue.line}-${index}`} className="align-top">
                <td className="px-3 py-1.5 font-mono">{issue.line}</td>
                <td className="px-3 py-1.5 font-mono text-slate-600">{issue.column ?? "—"}</td>
                <td className="px-3 py-1.5">{issue.message}</td>
              </tr>
            ))}
          </SimpleTable>
        </div>
      ) : null}
      {report.issuesTruncated ? <p className="text-xs text-slate-600">Only the first {report.issues.length} problems are listed; fix them and check again.</p> : null}
    </div>
  );
}

/** Choose a CSV, check it (nothing written), then import all of it or nothing. */
export function RouteImportDialog({ onImported }: { onImported: (created: number) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState<"preview" | "apply" | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (mode: "preview" | "apply") => {
    if (!file) return;
    setBusy(mode);
    setError(null);
    try {
      const next = await sendFile(file, mode);
      if (mode === "apply" && next.applied) {
        onImported(next.created);
        return;
      }
      setReport(next);
      if (mode === "apply") setError("Something changed since the check, so nothing was imported. The problems are listed below.");
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "The file could not be sent.");
    } finally {
      setBusy(null);
    }
  };

  const clean = report !== null && report.fileErrors.length === 0 && report.errorLineCount === 0 && report.validCount > 0;
  return (
    <DialogContent
      size="lg"
      title="Import routes from CSV"
      description="The file is checked first and every problem is listed by line. Routes are created only if every line is right: all of them, or none."
    >
      <div className="space-y-4">
        <div className="rounded-md bg-slate-50 p-3 text-xs text-slate-700">
          <p>
            Columns (first line): <span className="font-mono">{CSV_COLUMNS.join(", ")}</span>. Required:{" "}
            <span className="font-mono">{REQUIRED_COLUMNS.join(", ")}</span>. Several skills or auto-BCC addresses in one cell are separated by “;”.
            Queues, skills and languages are named as in your catalogues. Up to {MAX_IMPORT_ROWS.toLocaleString("en")} routes per file.
          </p>
          <Button type="button" variant="link" size="sm" className="mt-1 h-auto px-0" onClick={downloadTemplate}>
            <Download aria-hidden /> Download a template
          </Button>
        </div>
        <Field id="import-file" label="CSV file">
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setReport(null);
              setError(null);
            }}
          />
        </Field>
        <Alert tone="danger">{error}</Alert>
        {report ? <ReportView report={report} /> : null}
        <div className="flex flex-wrap justify-end gap-2 border-t border-slate-200 pt-4">
          <Button type="button" variant="secondary" disabled={!file} pending={busy === "preview"} onClick={() => void run("preview")}>
            Check file
          </Button>
          <Button type="button" disabled={!clean || busy !== null} pending={busy === "apply"} onClick={() => void run("apply")}>
            <Upload aria-hidden /> {clean ? `Import ${plural(report.validCount, "route", "routes")}` : "Import"}
          </Button>
        </div>
      </div>
    </DialogContent>
  );
}

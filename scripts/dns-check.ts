/**
 * `npm run dns:check -- <domain> [--json]`
 *   Checks a registered domain's DNS against the records the console asked for.
 * `npm run dns:check -- --records FILE [<domain>] [--json]`
 *   Checks an explicit list of expected records, without the database (e.g. someone else's DNS).
 *
 * Exit code: 0 every required record verified, 1 a required record failed, 2 errors (DNS timeouts,
 * SERVFAIL…) prevented a verdict. The JSON output is a documented interface (README).
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

import { getConfig } from "@/lib/config/env";
import { formatReportTable, parseExpectedRecords, reportExitCode, verifyDomainRecords, type ExpectedRecord, type VerificationReport } from "@/lib/dns";
import { dnsOptionsFrom } from "@/lib/domains/dns-options";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { checkHostname } from "@/lib/domains/hostname";

import { parseCliArgs, runCli, UsageError, withCommandDb } from "./cli";

const USAGE = `Usage: npm run dns:check -- <domain> [--json]
       npm run dns:check -- --records FILE [<domain>] [--json]

  <domain>        A domain registered in the console (or, with --records, the domain to check)
  --records FILE  JSON: an array of expected records, or an object with "expected" (and "domain"),
                  such as the output of --json
  --json          Print the result as JSON instead of a table

Exit code: 0 all required records verified, 1 a required record failed, 2 errors prevented a verdict.`;

export interface DnsCheckJson extends VerificationReport {
  exitCode: 0 | 1 | 2;
  expected: ExpectedRecord[];
}

export function toJsonOutput(report: VerificationReport, expected: ExpectedRecord[]): DnsCheckJson {
  return { ...report, exitCode: reportExitCode(report), expected };
}

async function expectationFromFile(file: string, domainArgument: string | undefined): Promise<{ domain: string; records: ExpectedRecord[] }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`Cannot read ${file} as JSON: ${(error as Error).message}`, USAGE);
  }
  const wrapped = typeof json === "object" && json !== null && !Array.isArray(json);
  const list = wrapped ? (json as { expected?: unknown }).expected : json;
  const parsed = parseExpectedRecords(list);
  if (!parsed.ok) throw new UsageError(`${file} is not a list of expected records:\n  ${parsed.errors.join("\n  ")}`, USAGE);
  const domain = domainArgument ?? (wrapped ? (json as { domain?: unknown }).domain : undefined);
  if (typeof domain !== "string" || !domain) {
    throw new UsageError(`Name the domain to check: as an argument, or "domain" in ${file}.`, USAGE);
  }
  return { domain, records: parsed.value };
}

async function expectationFromDatabase(name: string): Promise<{ domain: string; records: ExpectedRecord[] }> {
  const checked = checkHostname(name);
  if (!checked.ok) throw new UsageError(`"${name}" is not a domain name: ${checked.error}`, USAGE);
  return withCommandDb(async (db) => {
    const found = await db.domain.findUnique({ where: { name: checked.ascii }, include: { records: { orderBy: { position: "asc" } } } });
      if (!found) throw new UsageError(`${checked.ascii} is not registered in the console. To check any domain, pass --records FILE.`, USAGE);
      if (found.records.length === 0) {
        throw new UsageError(`${found.name} is a platform domain: it needs no DNS records from its organisation.`, USAGE);
      }
    return { domain: found.name, records: found.records.map(expectedFromStored) };
  });
}

export async function dnsCheck(argv: string[], print: (text: string) => void): Promise<number> {
  const { values, positionals } = parseCliArgs({ records: { type: "string" }, json: { type: "boolean" } }, USAGE, true, argv);
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`Check one domain at a time (got ${positionals.join(", ")}).`, USAGE);
  const domainArgument = positionals[0];
  if (!values.records && !domainArgument) throw new UsageError("Name a domain, or pass --records FILE.", USAGE);

  const expectation = values.records
    ? await expectationFromFile(values.records, domainArgument)
    : await expectationFromDatabase(domainArgument!);
  const options = await dnsOptionsFrom(getConfig());
  if (options.resolvers.length === 0) {
    throw new UsageError("No DNS resolver to ask: /etc/resolv.conf lists none. Set DNS_RESOLVERS (host[:port], comma-separated).", USAGE);
  }
  const report = await verifyDomainRecords(expectation, options);
  print(values.json ? JSON.stringify(toJsonOutput(report, expectation.records), null, 2) : formatReportTable(report));
  return reportExitCode(report);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(() => dnsCheck(process.argv.slice(2), (text) => console.log(text)));
}

"use client";

import { Download, Info } from "lucide-react";

import { SimpleTable } from "@/components/ui/simple-table";
import { WrappableName } from "@/components/ui/wrappable-name";
import { recordsAsText, buildZoneFile, zoneFileName } from "@/lib/domains/zone-file";
import { SETTLED_TTL, type DomainView, type RecordView } from "@/lib/domains/types";

import { CopyButton } from "./copy-button";

const RECORD_COLUMNS = ["Name", "Type", "Value", "TTL"] as const;

const PURPOSE: Record<RecordView["kind"], string> = {
  ownership: "Proves you own the domain",
  mx: "Delivers the domain's mail to us",
  spf: "Lets us send replies from this domain",
  dkim: "Signs the replies we send",
  dmarc: "Recommended: tells receivers how to treat unsigned mail",
};

function shownValue(record: RecordView): string {
  return record.kind === "mx" ? `${record.preference} ${record.value}` : record.value;
}

function Note({ record }: { record: RecordView }) {
  if (record.dkim?.state === "pending") return <span className="text-xs text-slate-500">New key {record.dkim.selector}: publish it, then switch</span>;
  if (record.dkim?.state === "retiring") return <span className="text-xs text-slate-500">Previous key {record.dkim.selector}: keep it until it is retired</span>;
  return <span className="text-xs text-slate-500">{PURPOSE[record.kind]}{record.required ? "" : " (optional)"}</span>;
}

/** Builds the zone file in the browser from the view already on the page, and saves it. */
function downloadZoneFile(domain: DomainView) {
  const blob = new Blob([buildZoneFile(domain)], { type: "text/dns" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = zoneFileName(domain);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * Every record to publish in one compact table — the name as typed at most DNS hosts and fully
 * qualified, type, value, TTL — with "Copy all" and a zone file for whoever runs the DNS. On a
 * phone each row becomes a card (the cells label themselves).
 */
export function DnsRecords({ domain }: { domain: DomainView }) {
  const ttl = domain.records[0]?.ttl ?? 300;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600">
          TTL <strong className="font-medium text-slate-900">{ttl} s</strong> while setting up, so a correction is seen within minutes; once verified you may
          raise it to {SETTLED_TTL} s.
        </p>
        <div className="flex flex-wrap gap-2">
          <CopyButton
            value={recordsAsText(domain)}
            label="all records (name, type, value, TTL)"
            text="Copy all"
            className="border border-slate-300 bg-white px-2.5 py-1.5 text-sm"
          />
          <button
            type="button"
            onClick={() => downloadZoneFile(domain)}
            className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900"
          >
            <Download className="size-3.5" aria-hidden /> Download zone file
          </button>
        </div>
      </div>
      <SimpleTable
        label="DNS records to publish"
        columns={RECORD_COLUMNS}
        look="ruled"
        padding="none"
        className="max-md:block"
        headClassName="max-md:sr-only"
        bodyClassName="max-md:block max-md:space-y-3 max-md:divide-y-0"
      >
        {domain.records.map((record) => (
          <tr
            key={record.id}
            data-record-kind={record.kind}
            className="align-top max-md:flex max-md:flex-wrap max-md:items-baseline max-md:gap-x-3 max-md:rounded-lg max-md:border max-md:border-slate-200 max-md:p-3"
          >
            <td className="py-2 pr-2 max-md:order-1 max-md:w-full max-md:py-1">
              <div className="flex min-w-0 items-start justify-between gap-1">
                <span className="min-w-0 break-words font-mono" data-testid="relative-name">
                  <WrappableName value={record.relativeName} />
                </span>
                <CopyButton compact value={record.relativeName} label={`name of the ${record.kind} record`} />
              </div>
              <div className="flex min-w-0 items-start justify-between gap-1 text-xs text-slate-500">
                <span className="min-w-0 break-words font-mono" data-testid="fqdn">
                  <WrappableName value={record.name} />
                </span>
                <CopyButton compact value={record.name} label={`fully qualified name of the ${record.kind} record`} />
              </div>
            </td>
            <td className="py-2 pr-2 font-mono max-md:order-2 max-md:py-0 max-md:text-xs max-md:font-semibold">{record.type}</td>
            <td className="py-2 pr-2 max-md:order-4 max-md:w-full max-md:py-1">
              <div className="flex min-w-0 items-start justify-between gap-1">
                <span className="min-w-0 font-mono [overflow-wrap:anywhere]" data-testid="record-value">
                  {shownValue(record)}
                </span>
                <CopyButton compact value={record.value} label={`value of the ${record.kind} record`} />
              </div>
              <Note record={record} />
            </td>
            <td className="py-2 font-mono max-md:order-3 max-md:py-0 max-md:text-xs max-md:text-slate-500">
              <span className="md:sr-only">TTL </span>
              {record.ttl}
            </td>
          </tr>
        ))}
      </SimpleTable>
      <div className="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm text-slate-700">
        <p className="mb-2 flex items-center gap-2 font-medium text-slate-900">
          <Info className="size-4 text-brand-600" aria-hidden /> Tips for common DNS hosts
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            Most DNS hosts (Cloudflare, GoDaddy, Route 53, Google Cloud DNS…) add <strong>{domain.zone}</strong> to the name you type: enter
            the short name (e.g. <code className="font-mono">{domain.records[0]?.relativeName ?? "@"}</code>), not the fully qualified one.
            {domain.zoneConfirmed ? null : " (We will confirm the zone when we first check.)"}
          </li>
          <li>Paste values without quotes; your DNS host adds them if it needs to. Long DKIM keys may be split into 255-character parts automatically — that is fine.</li>
          <li>
            If the domain already has an SPF record (<code className="font-mono">v=spf1 …</code>), do not add a second one: add{" "}
            <code className="font-mono">include:{domain.records.find((r) => r.kind === "spf")?.spfInclude}</code> to
            it before its <code className="font-mono">~all</code> or <code className="font-mono">-all</code>.
          </li>
          <li>For MX, enter the priority in its own field if your host has one, and the host name without a trailing dot unless it asks for one.</li>
          <li>Hosts that import zone files (Cloudflare, Route 53, BIND) can take the downloaded file; keep their own SOA and NS records.</li>
        </ul>
      </div>
    </div>
  );
}

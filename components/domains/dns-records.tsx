import { Info } from "lucide-react";

import type { DomainView, RecordView } from "@/lib/domains/types";

import { CopyButton } from "./copy-button";

const PURPOSE: Record<RecordView["kind"], string> = {
  ownership: "Proves you own the domain",
  mx: "Delivers the domain's mail to us",
  spf: "Lets us send replies from this domain",
  dkim: "Signs the replies we send",
  dmarc: "Recommended: tells receivers how to treat unsigned mail",
};

function Value({ record }: { record: RecordView }) {
  return record.kind === "mx" ? (
    <span>
      <span className="text-slate-500">priority</span> {record.preference} <span className="text-slate-500">host</span> {record.value}
    </span>
  ) : (
    <span className="break-all">{record.value}</span>
  );
}

/** Every record to publish, with the name both fully qualified and as typed at most DNS hosts. */
export function DnsRecords({ domain }: { domain: DomainView }) {
  return (
    <div className="space-y-4">
      <ol className="space-y-3" aria-label="DNS records to publish">
        {domain.records.map((record) => (
          <li key={record.id} className="rounded-lg border border-slate-200 bg-white p-4" data-record-kind={record.kind}>
            <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm font-semibold text-slate-900">
                {record.type} · {PURPOSE[record.kind]}
                {record.dkim?.state === "pending" ? (
                  <span className="ml-2 text-xs font-normal text-slate-500">(new key {record.dkim.selector}: publish it, then switch)</span>
                ) : record.dkim?.state === "retiring" ? (
                  <span className="ml-2 text-xs font-normal text-slate-500">(previous key {record.dkim.selector}: keep it until it is retired)</span>
                ) : record.required ? null : (
                  <span className="ml-2 text-xs font-normal text-slate-500">(optional)</span>
                )}
              </p>
              <p className="text-xs text-slate-500">TTL {record.ttl} s (1 hour)</p>
            </div>
            <dl className="grid gap-2 text-sm sm:grid-cols-[9rem_1fr]">
              <dt className="text-slate-500">Name (host)</dt>
              <dd className="flex min-w-0 items-start justify-between gap-2 font-mono">
                <span className="break-all" data-testid="relative-name">{record.relativeName}</span>
                <CopyButton value={record.relativeName} label={`name of the ${record.kind} record`} />
              </dd>
              <dt className="text-slate-500">Fully qualified</dt>
              <dd className="flex min-w-0 items-start justify-between gap-2 font-mono text-slate-600">
                <span className="break-all">{record.name}</span>
                <CopyButton value={record.name} label={`fully qualified name of the ${record.kind} record`} />
              </dd>
              <dt className="text-slate-500">{record.kind === "mx" ? "Mail server" : "Value"}</dt>
              <dd className="flex min-w-0 items-start justify-between gap-2 font-mono">
                <Value record={record} />
                <CopyButton value={record.value} label={`value of the ${record.kind} record`} />
              </dd>
            </dl>
          </li>
        ))}
      </ol>
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
        </ul>
      </div>
    </div>
  );
}

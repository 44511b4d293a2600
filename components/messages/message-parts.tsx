import { Server } from "lucide-react";
import type { ReactNode } from "react";

import { LocalTime } from "@/components/ui/local-time";
import { TextList } from "@/components/ui/text-list";
import { formatDelay } from "@/lib/messages/types";
import type { AuthCheckView, HopView, StoredHeader } from "@/lib/messages/types";

import { VerdictBadge } from "./status-badges";

/** The pieces of a message's page: facts as a list, the checks, the hops, the headers. */

export function Facts({ children }: { children: ReactNode }) {
  // Sized by its card, not the window: label beside value only where the card is wide enough for an address.
  return (
    <div className="@container">
      <dl className="space-y-3 text-sm">{children}</dl>
    </div>
  );
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-0.5 @lg:grid-cols-[10rem_minmax(0,1fr)] @lg:gap-4">
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}

export function AuthChecks({ checks }: { checks: AuthCheckView[] }) {
  return (
    <ul className="space-y-4" aria-label="Authentication checks">
      {checks.map((check) => (
        <li key={check.check} className="space-y-1" data-testid={`auth-${check.check.toLowerCase()}`}>
          <VerdictBadge check={check.check} verdict={check.verdict} />
          <p className="text-sm text-slate-800">{check.summary}</p>
          <TextList items={check.details} className="list-inside list-disc break-words text-xs text-slate-600" />
        </li>
      ))}
    </ul>
  );
}

function delayText(seconds: number | null): string | null {
  if (seconds === null) return null;
  if (seconds < 0) return `${formatDelay(seconds)} (the two servers' clocks disagree)`;
  return `+${formatDelay(seconds)}`;
}

/** The Received chain as a timeline, oldest first: who handed the message on, when, and the wait at each step. */
export function HopsTimeline({ hops, sentAt }: { hops: HopView[]; sentAt: string | null }) {
  return (
    <ol className="relative space-y-4 border-l-2 border-slate-200 pl-5" aria-label="Hops, oldest first">
      <li className="relative">
        <span className="absolute -left-[1.7rem] top-1 size-3 rounded-full border-2 border-white bg-slate-400 ring-1 ring-slate-300" aria-hidden />
        <p className="text-sm font-medium text-slate-900">Written by the sender</p>
        <p className="text-xs text-slate-600">{sentAt ? <LocalTime value={sentAt} withSeconds /> : "The message has no readable Date header."}</p>
      </li>
      {hops.map((hop, index) => {
        const delay = delayText(hop.delaySeconds);
        return (
          <li key={index} className="relative" data-testid="hop">
            <span
              className={`absolute -left-[1.7rem] top-1 size-3 rounded-full border-2 border-white ring-1 ${hop.ours ? "bg-brand-600 ring-brand-100" : "bg-slate-400 ring-slate-300"}`}
              aria-hidden
            />
            <p className="flex flex-wrap items-baseline gap-x-2 text-sm text-slate-900">
              <span className="font-medium">{hop.ours ? "Received here" : `Hop ${index + 1}`}</span>
              <span className="text-xs text-slate-600">{hop.at ? <LocalTime value={hop.at} withSeconds /> : "no time given"}</span>
              {delay ? (
                <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${hop.delaySeconds !== null && hop.delaySeconds >= 300 ? "bg-amber-50 text-amber-800" : "bg-slate-100 text-slate-700"}`}>
                  {delay}
                </span>
              ) : null}
            </p>
            <p className="mt-0.5 flex min-w-0 items-start gap-1.5 break-words text-xs text-slate-700">
              <Server className="mt-0.5 size-3.5 shrink-0 text-slate-400" aria-hidden />
              <span className="min-w-0">
                {hop.from ? <>from <span className="font-mono">{hop.from}</span> </> : null}
                {hop.by ? <>by <span className="font-mono">{hop.by}</span> </> : null}
                {hop.with ? <>with {hop.with}</> : null}
              </span>
            </p>
            {hop.raw ? (
              <details className="mt-1">
                <summary className="cursor-pointer text-xs text-brand-700 hover:underline">Received header</summary>
                <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs text-slate-700">{hop.raw}</pre>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

export function HeadersTable({ headers }: { headers: StoredHeader[] }) {
  if (headers.length === 0) return <p className="text-sm text-slate-600">The message had no header fields.</p>;
  return (
    // On a phone each field's name sits above its value, which then gets the card's whole width.
    <table className="block w-full text-left text-xs sm:table sm:table-fixed" data-testid="headers-table">
      <caption className="sr-only">Header fields, in the order received</caption>
      <colgroup>
        <col className="sm:w-44" />
        <col />
      </colgroup>
      <thead className="sr-only">
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody className="block divide-y divide-slate-100 font-mono sm:table-row-group">
        {headers.map((header, index) => (
          <tr key={index} className="block py-1.5 align-top sm:table-row sm:py-0">
            <th scope="row" className="block break-words font-medium text-slate-600 sm:table-cell sm:py-1.5 sm:pr-3">
              {header.name}
            </th>
            <td className="block whitespace-pre-wrap break-all text-slate-900 sm:table-cell sm:py-1.5">{header.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

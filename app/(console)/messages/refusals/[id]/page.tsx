import { ArrowLeft, ListOrdered } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { Fact, Facts } from "@/components/messages/message-parts";
import { MessageStatusBadge } from "@/components/messages/status-badges";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { requirePageAccess } from "@/lib/auth/gate";
import { formatBytes } from "@/lib/mail/types";
import { getRefusalDetail } from "@/lib/messages/queries";
import { REFUSAL_STAGE_LABELS } from "@/lib/messages/types";

export const metadata: Metadata = { title: "Refused attempt" };

export default async function RefusalPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageAccess("view");
  const refusal = await getRefusalDetail(actor, (await params).id);
  if (!refusal) notFound();

  return (
    <>
      <Link href="/messages" className="mb-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> All messages
      </Link>
      <div className="mb-6">
        <h1 className="break-words text-2xl font-semibold tracking-tight text-slate-900">{refusal.reasonLabel}</h1>
        <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <MessageStatusBadge status="refused" />
          <span>
            <LocalTime value={refusal.at} withSeconds /> · {REFUSAL_STAGE_LABELS[refusal.stage]}
          </span>
        </p>
      </div>

      <div className="grid gap-6 xl:grid-cols-2">
        <Card className="xl:col-span-2">
          <CardHeader title="Why it was refused" />
          <CardBody className="space-y-4">
            <p className="text-base text-slate-900" data-testid="refusal-explanation">
              {refusal.explanation}
            </p>
            {refusal.closestRoutes.length > 0 ? (
              <div>
                <p className="text-sm font-medium text-slate-700">Closest routes</p>
                <ul className="mt-1 flex flex-wrap gap-2">
                  {refusal.closestRoutes.map((route) => (
                    <li key={route.address}>
                      <Link
                        href={`/routes?q=${encodeURIComponent(route.address)}`}
                        className="inline-flex items-center gap-1 rounded-md border border-slate-200 px-2 py-1 font-mono text-xs text-brand-700 hover:bg-slate-50"
                      >
                        <ListOrdered className="size-3.5" aria-hidden /> {route.address}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div>
              <p className="text-sm font-medium text-slate-700">The reply the sending server got</p>
              <pre className="mt-1 whitespace-pre-wrap break-all rounded-md bg-slate-900 px-3 py-2 font-mono text-sm text-slate-100" data-testid="refusal-reply">
                {refusal.reply}
              </pre>
              <p className="mt-1 text-xs text-slate-600">
                {refusal.code >= 500
                  ? "A 5xx reply is final: the sender gets a bounce and does not try again."
                  : "A 4xx reply is temporary: the sending server keeps the message and tries again later (usually for several days)."}
              </p>
            </div>
            {refusal.suppressed > 0 ? (
              <p className="text-sm text-slate-700">
                {refusal.suppressed.toLocaleString("en")} more {refusal.suppressed === 1 ? "refusal" : "refusals"} from this client in the same minute
                {refusal.suppressed === 1 ? " was" : " were"} counted but not stored, so a flood cannot fill the log.
              </p>
            ) : null}
          </CardBody>
        </Card>

        <Card className="xl:col-span-2">
          <CardHeader title="The attempt" description="What the sending server said before it was refused." />
          <CardBody>
            <Facts>
              <Fact label="Recipient">
                <span className="break-all font-mono">{refusal.recipient ?? "—"}</span>
              </Fact>
              <Fact label="Domain">
                {refusal.domain ? (
                  <Link href={`/domains/${encodeURIComponent(refusal.domain.name)}`} className="text-brand-700 hover:underline">
                    {refusal.domain.name}
                  </Link>
                ) : (
                  "—"
                )}
              </Fact>
              <Fact label="Envelope sender">
                <span className="break-all font-mono">{refusal.envelopeFrom === null ? "—" : refusal.envelopeFrom === "" ? "<> (a bounce or notification)" : refusal.envelopeFrom}</span>
              </Fact>
              <Fact label="Sending server">
                <span className="font-mono">
                  {refusal.helo ?? "(no HELO)"} [{refusal.clientAddress}]
                </span>
              </Fact>
              {refusal.subject !== null ? <Fact label="Subject">{refusal.subject}</Fact> : null}
              {refusal.messageIdHeader !== null ? (
                <Fact label="Message-ID">
                  <span className="break-all font-mono">{refusal.messageIdHeader}</span>
                </Fact>
              ) : null}
              {refusal.size !== null ? <Fact label="Size">{formatBytes(refusal.size)}</Fact> : null}
              <Fact label="Refused">{REFUSAL_STAGE_LABELS[refusal.stage]}</Fact>
              <Fact label="Reason code">
                <span className="font-mono">{refusal.reason}</span>
              </Fact>
            </Facts>
          </CardBody>
        </Card>
      </div>
    </>
  );
}

import { ArrowLeft, Download, ListOrdered, Mails } from "lucide-react";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { AuthChecks, Fact, Facts, HeadersTable, HopsTimeline } from "@/components/messages/message-parts";
import { MessageStatusBadge } from "@/components/messages/status-badges";
import { Alert } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { LocalTime } from "@/components/ui/local-time";
import { requirePageAccess } from "@/lib/auth/gate";
import { can, PERMISSION_LABELS } from "@/lib/auth/permissions";
import { formatBytes } from "@/lib/mail/types";
import { getMessageDetail } from "@/lib/messages/queries";
import { messagesHref } from "@/lib/messages/schemas";
import { MESSAGE_STATUS_DESCRIPTIONS } from "@/lib/messages/types";

export const metadata: Metadata = { title: "Message" };

export default async function MessagePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageAccess("view");
  const message = await getMessageDetail(actor, (await params).id);
  if (!message) notFound();
  const canDownload = can(actor, "manage");
  const statuses = [...new Set(message.deliveries.map((delivery) => delivery.status))];

  return (
    <>
      <Link href="/messages" className="mb-4 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden /> All messages
      </Link>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          {/* A long subject is cut to three lines here (the Headers table has it whole), so the status and actions stay in view. */}
          <h1 className="line-clamp-3 break-words text-2xl font-semibold tracking-tight text-slate-900" title={message.subject ?? undefined}>
            {message.subject ?? "(no subject)"}
          </h1>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
            {statuses.map((status) => (
              <MessageStatusBadge key={status} status={status} />
            ))}
            <span>
              Received <LocalTime value={message.receivedAt} withSeconds />
            </span>
          </p>
        </div>
        {canDownload ? (
          <a href={`/api/messages/${message.id}/raw`} download className={buttonVariants({ variant: "secondary" })}>
            <Download aria-hidden /> Download .eml
          </a>
        ) : (
          <p className="max-w-xs text-xs text-slate-500">Downloading the original message needs the {PERMISSION_LABELS["routing:email:manage"]} permission.</p>
        )}
      </div>

      {message.authTimedOut ? (
        <Alert tone="warning" title="Authentication did not finish" className="mb-6">
          The checks stopped at the gateway&apos;s time limit (INBOUND_AUTH_DEADLINE) because DNS answered too slowly; the verdicts below say temperror, and
          the message was accepted.
        </Alert>
      ) : null}

      <div className="grid gap-6 xl:grid-cols-2">
        <Card>
          <CardHeader title="Envelope" description="What the sending server said in the SMTP conversation, and what the message says of itself." />
          <CardBody>
            <Facts>
              <Fact label="Envelope sender">
                <span className="font-mono">{message.envelopeFrom === "" ? "<> (a bounce or notification)" : message.envelopeFrom}</span>
              </Fact>
              <Fact label="From header">{message.headerFrom ?? "—"}</Fact>
              <Fact label="Message-ID">
                <span className="break-all font-mono">{message.messageIdHeader ?? "—"}</span>
              </Fact>
              <Fact label="Sent">{message.sentAt ? <LocalTime value={message.sentAt} withSeconds /> : "No readable Date header"}</Fact>
              <Fact label="Received">
                <LocalTime value={message.receivedAt} withSeconds />
              </Fact>
              <Fact label="Size">{formatBytes(message.size)}</Fact>
              <Fact label="Sending server">
                <span className="font-mono">
                  {message.helo} [{message.clientAddress}]
                </span>
              </Fact>
              <Fact label="Encryption">{message.tlsProtocol ? `TLS (${message.tlsProtocol})` : "None (plain SMTP)"}</Fact>
              <Fact label="Gateway">
                <span className="break-all font-mono text-xs">{message.gateway}</span>
              </Fact>
              <Fact label="Stored as">
                <span className="break-all font-mono text-xs" title="SHA-256 of the stored message (the .eml download)">
                  sha256 {message.rawSha256}
                </span>
              </Fact>
            </Facts>
          </CardBody>
        </Card>

        <Card>
          <CardHeader
            title={message.deliveries.length === 1 ? "Delivered to" : `Delivered to ${message.deliveries.length} of your addresses`}
            description="The route each recipient matched and the queue the message went into, as they were when it arrived."
          />
          <CardBody className="divide-y divide-slate-100 py-0">
            {message.deliveries.map((delivery) => (
              <div key={delivery.id} className="py-4" data-testid="delivery">
                <Facts>
                  <Fact label="Recipient">
                    <span className="break-all font-mono">{delivery.recipient}</span>
                  </Fact>
                  <Fact label="Original recipient">
                    {delivery.originalRecipient ? <span className="break-all font-mono">{delivery.originalRecipient}</span> : "The same (not redirected)"}
                  </Fact>
                  <Fact label="Status">
                    <span className="flex flex-col gap-1">
                      <span>
                        <MessageStatusBadge status={delivery.status} />
                      </span>
                      <span className="text-xs text-slate-600">{MESSAGE_STATUS_DESCRIPTIONS[delivery.status]}</span>
                    </span>
                  </Fact>
                  <Fact label="Route">
                    <span className="flex flex-col gap-0.5">
                      <span className="break-all font-mono">{delivery.routeAddress}</span>
                      {delivery.routeId ? (
                        <span className="flex flex-wrap gap-x-3 text-xs">
                          <Link href={`/routes?q=${encodeURIComponent(delivery.routeAddress)}`} className="inline-flex items-center gap-1 text-brand-700 hover:underline">
                            <ListOrdered className="size-3.5" aria-hidden /> Open in Routes
                          </Link>
                          <Link href={messagesHref({ route: delivery.routeId })} className="inline-flex items-center gap-1 text-brand-700 hover:underline">
                            <Mails className="size-3.5" aria-hidden /> Recent messages to this route
                          </Link>
                        </span>
                      ) : (
                        <span className="text-xs text-slate-500">This route has been deleted since.</span>
                      )}
                    </span>
                  </Fact>
                  <Fact label="Queue">
                    {delivery.queueId ? (
                      <Link href={messagesHref({ queue: delivery.queueId })} className="text-brand-700 hover:underline" title="Recent messages in this queue">
                        {delivery.queueName}
                      </Link>
                    ) : (
                      <>
                        {delivery.queueName} <span className="text-xs text-slate-500">(deleted since)</span>
                      </>
                    )}
                  </Fact>
                  <Fact label="Priority, skills, language">
                    {delivery.priority} · {delivery.skills.length > 0 ? delivery.skills.join(", ") : "no skills"} · {delivery.languageName ?? "any language"}
                  </Fact>
                </Facts>
              </div>
            ))}
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Authentication" description="Whether the sender is who the message says, as SPF, DKIM, DMARC and ARC found it." />
          <CardBody className="space-y-4">
            <AuthChecks checks={message.auth} />
            {message.authenticationResults ? (
              <details>
                <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">Authentication-Results header we added</summary>
                <pre className="mt-2 whitespace-pre-wrap break-all rounded bg-slate-50 p-3 font-mono text-xs text-slate-700">{message.authenticationResults}</pre>
              </details>
            ) : null}
          </CardBody>
        </Card>

        <Card>
          <CardHeader
            title="Hops"
            description="The servers the message passed through on its way here, from its Received headers, with the time spent at each step."
          />
          <CardBody>
            <HopsTimeline hops={message.hops} sentAt={message.sentAt} />
          </CardBody>
        </Card>

        <Card className="xl:col-span-2">
          <CardHeader title="Headers" description={`${message.headers.length} header fields, in the order received (values as sent; encoded words are not decoded).`} />
          <CardBody>
            <HeadersTable headers={message.headers} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}

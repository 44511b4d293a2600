import { Send } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/local-time";
import type { DeliveryView } from "@/lib/notifications/types";

function StatusBadge({ delivery }: { delivery: DeliveryView }) {
  if (delivery.status === "delivered") return <Badge tone="success">Delivered</Badge>;
  if (delivery.status === "failed") return <Badge tone="danger">Failed</Badge>;
  return <Badge tone="info">{delivery.attempts === 0 ? "Queued" : "Retrying"}</Badge>;
}

function lastResponse(delivery: DeliveryView): string {
  if (delivery.status === "delivered") return `HTTP ${delivery.responseStatus ?? "2xx"}`;
  if (delivery.error) return delivery.error;
  return delivery.attempts === 0 ? "Not sent yet" : "—";
}

/** The latest deliveries, newest first, each with what the receiver answered and what happens next. */
export function DeliveryLog({ deliveries }: { deliveries: DeliveryView[] }) {
  return (
    <Card>
      <CardHeader title="Delivery log" description="The latest events sent to your webhook, with the receiver's answer. Open a row to see the exact payload." />
      {deliveries.length === 0 ? (
        <div className="flex flex-col items-center px-6 py-10 text-center">
          <Send className="mb-3 size-6 text-slate-400" aria-hidden />
          <p className="max-w-md text-sm text-slate-600">No deliveries yet. Send a test event to try your receiver.</p>
        </div>
      ) : (
        <ul className="divide-y divide-slate-100" data-testid="delivery-log">
          {deliveries.map((delivery) => (
            <li key={delivery.id}>
              <details className="group">
                <summary className="grid cursor-pointer list-none grid-cols-[1fr_auto] gap-x-4 gap-y-1 px-5 py-3 hover:bg-slate-50 sm:grid-cols-[minmax(10rem,1fr)_7rem_5rem_minmax(0,2fr)_7rem]">
                  <span className="font-mono text-sm text-slate-900">{delivery.event}</span>
                  <span>
                    <StatusBadge delivery={delivery} />
                  </span>
                  <span className="text-sm text-slate-600">
                    {delivery.attempts} {delivery.attempts === 1 ? "attempt" : "attempts"}
                  </span>
                  <span className="col-span-2 truncate text-sm text-slate-600 sm:col-span-1" title={lastResponse(delivery)}>
                    {lastResponse(delivery)}
                    {delivery.status === "pending" && delivery.nextAttemptAt ? (
                      <span className="text-slate-500">
                        {" "}
                        · next attempt <RelativeTime iso={delivery.nextAttemptAt} expect="future" />
                      </span>
                    ) : null}
                  </span>
                  <span className="text-right text-xs text-slate-500 sm:text-sm">
                    <RelativeTime iso={delivery.createdAt} />
                  </span>
                </summary>
                <div className="space-y-2 bg-slate-50 px-5 pb-4 pt-1 text-xs text-slate-600">
                  <p>
                    Delivery id <code className="font-mono">{delivery.id}</code>
                    {delivery.lastAttemptAt ? (
                      <>
                        {" "}
                        · last attempt <RelativeTime iso={delivery.lastAttemptAt} />
                      </>
                    ) : null}
                  </p>
                  {delivery.error ? <p className="whitespace-pre-wrap break-words text-red-800">{delivery.error}</p> : null}
                  <pre className="max-h-72 overflow-auto rounded-md border border-slate-200 bg-white p-3 font-mono text-[11px] leading-relaxed text-slate-800">
                    {JSON.stringify(delivery.payload, null, 2)}
                  </pre>
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

"use client";

import { Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";

import { createQueueAction } from "@/app/(console)/queues/actions";
import { createRouteAction } from "@/app/(console)/routes/actions";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import type { DomainView } from "@/lib/domains/types";
import type { WizardRoute } from "@/lib/setup/types";

const NEW_QUEUE = "__new__";
const STATUS_TONES = { pending: "info", active: "success", error: "danger" } as const;
const STATUS_LABELS = { pending: "Pending: domain not verified yet", active: "Active", error: "Error: domain lost a record" } as const;

/** Maps the first addresses of the new domain to queues, creating a queue on the spot if needed. */
export function AddressesStep({
  domain,
  routes,
  queues,
  defaultFromName,
}: {
  domain: DomainView;
  routes: WizardRoute[];
  queues: { id: string; name: string }[];
  defaultFromName: string;
}) {
  const router = useRouter();
  const [pattern, setPattern] = useState("");
  const [queueId, setQueueId] = useState(queues[0]?.id ?? NEW_QUEUE);
  const [newQueueName, setNewQueueName] = useState("");
  const [fromName, setFromName] = useState(defaultFromName);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setErrors({});
    try {
      let targetQueue = queueId;
      if (queueId === NEW_QUEUE) {
        const queue = await createQueueAction({ name: newQueueName });
        if (!queue.ok) {
          setErrors({ newQueue: queue.fieldErrors?.name?.[0] ?? queue.error });
          return;
        }
        targetQueue = queue.data.id;
        setQueueId(queue.data.id);
        setNewQueueName("");
      }
      const result = await createRouteAction({ domainId: domain.id, pattern, queueId: targetQueue, fromName });
      if (!result.ok) {
        const fields = result.fieldErrors ?? {};
        setErrors({
          pattern: fields.pattern?.[0],
          queueId: fields.queueId?.[0],
          fromName: fields.fromName?.[0],
          form: Object.keys(fields).some((key) => !["pattern", "queueId", "fromName"].includes(key)) || !result.fieldErrors ? result.error : undefined,
        });
        return;
      }
      toast.success(`${result.data.address} now delivers into its queue`);
      setPattern("");
      router.refresh();
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-6">
      {routes.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" aria-label="Mapped addresses">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Address</th>
                <th scope="col" className="px-4 py-2 font-medium">Queue</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {routes.map((route) => (
                <tr key={route.id}>
                  <td className="px-4 py-2 font-mono">{route.address}</td>
                  <td className="px-4 py-2">{route.queueName}</td>
                  <td className="px-4 py-2"><Badge tone={STATUS_TONES[route.status]}>{STATUS_LABELS[route.status]}</Badge></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No addresses yet. Add the first one customers will write to, such as support@{domain.displayName}.</p>
      )}

      <form onSubmit={submit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" aria-label="Map an address">
        <h2 className="text-base font-semibold text-slate-900">Map an address to a queue</h2>
        {errors.form ? <Alert tone="danger">{errors.form}</Alert> : null}
        <div className="grid gap-4 md:grid-cols-2">
          <Field id="route-pattern" label="Address" error={errors.pattern} hint="The part before the @">
            <div className="flex items-center gap-2">
              <Input {...fieldA11y("route-pattern", errors.pattern, true)} value={pattern} onChange={(e) => setPattern(e.target.value)} placeholder="support" autoComplete="off" spellCheck={false} />
              <span className="whitespace-nowrap font-mono text-sm text-slate-600">@{domain.displayName}</span>
            </div>
          </Field>
          <Field id="route-queue" label="Queue" error={errors.queueId}>
            <Select {...fieldA11y("route-queue", errors.queueId)} value={queueId} onChange={(e) => setQueueId(e.target.value)}>
              {queues.map((queue) => (
                <option key={queue.id} value={queue.id}>
                  {queue.name}
                </option>
              ))}
              <option value={NEW_QUEUE}>+ Create a new queue…</option>
            </Select>
          </Field>
          {queueId === NEW_QUEUE ? (
            <Field id="route-new-queue" label="New queue's name" error={errors.newQueue}>
              <Input {...fieldA11y("route-new-queue", errors.newQueue)} value={newQueueName} onChange={(e) => setNewQueueName(e.target.value)} placeholder="Support" autoComplete="off" />
            </Field>
          ) : null}
          <Field id="route-from-name" label="Sender name on replies" error={errors.fromName} hint="What customers see as the sender of replies">
            <Input {...fieldA11y("route-from-name", errors.fromName, true)} value={fromName} onChange={(e) => setFromName(e.target.value)} autoComplete="off" />
          </Field>
        </div>
        <Button type="submit" pending={pending}>
          <Plus aria-hidden /> Add address
        </Button>
      </form>
    </div>
  );
}

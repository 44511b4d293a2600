"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";
import { toast } from "sonner";

import { addWizardAddressAction } from "@/app/(console)/setup/actions";
import { applyActionErrors, formOf } from "@/components/forms/apply-action-errors";
import { useLeaveWarning } from "@/components/forms/discard-guard";
import { ErrorList, SelectField, TextField, type ListedError } from "@/components/forms/fields";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { SimpleTable } from "@/components/ui/simple-table";
import { asActionResult } from "@/lib/actions/result";
import type { DomainView } from "@/lib/domains/types";
import { addWizardAddressSchema, NEW_QUEUE, type AddWizardAddressInput } from "@/lib/setup/schemas";
import type { WizardRoute } from "@/lib/setup/types";

const STATUS_TONES = { pending: "info", active: "success", error: "danger" } as const;
const STATUS_LABELS = { pending: "Pending: domain not verified yet", active: "Active", error: "Error: domain lost a record" } as const;
const ROUTE_COLUMNS = ["Address", "Queue", "Status"] as const;

const FIELDS = [
  { name: "pattern", id: "route-pattern", label: "Address" },
  { name: "queueId", id: "route-queue", label: "Queue" },
  { name: "newQueueName", id: "route-new-queue", label: "New queue's name" },
  { name: "fromName", id: "route-from-name", label: "Sender name on replies" },
] as const;

/**
 * Maps the first addresses of the new domain to queues, creating a queue on the spot if needed.
 * Every field is checked before anything is created, and the queue and its route are created
 * together or not at all.
 */
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
  const form = useForm<AddWizardAddressInput>({
    resolver: zodResolver(addWizardAddressSchema),
    defaultValues: { domainId: domain.id, pattern: "", queueId: queues[0]?.id ?? NEW_QUEUE, newQueueName: "", fromName: defaultFromName },
  });
  const { register, handleSubmit, formState, control } = form;
  const queueId = useWatch({ control, name: "queueId" });
  useLeaveWarning(formState.isDirty || formState.isSubmitting);
  const errors = formState.errors;
  const error = (name: (typeof FIELDS)[number]["name"]) => errors[name]?.message;
  const listed: ListedError[] = FIELDS.flatMap((field) => {
    const message = error(field.name);
    return message ? [{ id: field.id, label: field.label, message }] : [];
  });

  const submit = handleSubmit(async (values, event) => {
    const result = await asActionResult(addWizardAddressAction(values));
    if (!result.ok) {
      const message = applyActionErrors(result, form.setError, ["pattern", "queueId", "newQueueName", "fromName"], formOf(event));
      if (message) form.setError("root", { message });
      return;
    }
    toast.success(`${result.data.address} now delivers into its queue`);
    form.reset({ ...values, pattern: "", queueId: result.data.queueId, newQueueName: "" });
    router.refresh();
  });

  return (
    <div className="space-y-6">
      {routes.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <SimpleTable label="Mapped addresses" columns={ROUTE_COLUMNS}>
            {routes.map((route) => (
              <tr key={route.id}>
                <td className="px-4 py-2 font-mono">{route.address}</td>
                <td className="px-4 py-2">{route.queueName}</td>
                <td className="px-4 py-2"><Badge tone={STATUS_TONES[route.status]}>{STATUS_LABELS[route.status]}</Badge></td>
              </tr>
            ))}
          </SimpleTable>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No addresses yet. Add the first one customers will write to, such as support@{domain.displayName}.</p>
      )}

      <form
        onSubmit={submit}
        noValidate
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-5"
        aria-labelledby="map-address-heading"
        aria-describedby={listed.length > 0 ? "map-address-errors" : undefined}
      >
        <h2 id="map-address-heading" className="text-base font-semibold text-slate-900">Map an address to a queue</h2>
        <Alert tone="danger">{errors.root?.message}</Alert>
        <ErrorList id="map-address-errors" errors={listed} />
        <div className="grid gap-4 md:grid-cols-2">
          <TextField
            id="route-pattern"
            label="Address"
            error={error("pattern")}
            hint={`The part before the @, on ${domain.displayName}`}
            placeholder="support"
            spellCheck={false}
            {...register("pattern")}
          />
          <SelectField id="route-queue" label="Queue" error={error("queueId")} {...register("queueId")}>
            {queues.map((queue) => (
              <option key={queue.id} value={queue.id}>
                {queue.name}
              </option>
            ))}
            <option value={NEW_QUEUE}>+ Create a new queue…</option>
          </SelectField>
          {queueId === NEW_QUEUE ? (
            <TextField id="route-new-queue" label="New queue's name" error={error("newQueueName")} placeholder="Support" {...register("newQueueName")} />
          ) : null}
          <TextField
            id="route-from-name"
            label="Sender name on replies"
            error={error("fromName")}
            hint="What customers see as the sender of replies"
            {...register("fromName")}
          />
        </div>
        <Button type="submit" pending={formState.isSubmitting}>
          <Plus aria-hidden /> Add address
        </Button>
      </form>
    </div>
  );
}

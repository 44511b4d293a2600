"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Inbox, Pencil, Plus, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";

import { createQueueAction, deleteQueueAction, updateQueueAction } from "@/app/(console)/queues/actions";
import { applyActionErrors } from "@/components/forms/apply-action-errors";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { createQueueSchema } from "@/lib/routing/queue-schemas";

export interface QueueRow {
  id: string;
  name: string;
  description: string;
  version: number;
}

type QueueFormValues = z.input<typeof createQueueSchema>;

function QueueForm({
  initial,
  submitLabel,
  onSubmit,
}: {
  initial?: QueueRow;
  submitLabel: string;
  onSubmit: (values: z.output<typeof createQueueSchema>, form: ReturnType<typeof useForm<QueueFormValues>>) => Promise<void>;
}) {
  const form = useForm<QueueFormValues>({
    resolver: zodResolver(createQueueSchema),
    defaultValues: { name: initial?.name ?? "", description: initial?.description ?? "" },
  });
  const { register, handleSubmit, formState } = form;
  const nameError = formState.errors.name?.message;
  const descriptionError = formState.errors.description?.message;
  const formError = formState.errors.root?.message;
  return (
    <form
      noValidate
      className="space-y-4"
      onSubmit={handleSubmit(async (values) => onSubmit(createQueueSchema.parse(values), form))}
    >
      {formError ? <Alert tone="danger">{formError}</Alert> : null}
      <Field id="queue-name" label="Name" error={nameError}>
        <Input {...fieldA11y("queue-name", nameError)} autoFocus autoComplete="off" {...register("name")} />
      </Field>
      <Field id="queue-description" label="Description (optional)" error={descriptionError}>
        <Input {...fieldA11y("queue-description", descriptionError)} autoComplete="off" {...register("description")} />
      </Field>
      <div className="flex justify-end gap-2">
        <Button type="submit" pending={formState.isSubmitting}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

export function QueueManager({ queues, canManage }: { queues: QueueRow[]; canManage: boolean }) {
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<QueueRow | null>(null);
  const [deleting, setDeleting] = useState<QueueRow | null>(null);
  const [deletePending, startDelete] = useTransition();
  const manageHint = canManage ? undefined : MANAGE_REQUIRED_HINT;

  const newQueueButton = (
    <Button onClick={() => setCreating(true)} disabled={!canManage} title={manageHint}>
      <Plus aria-hidden /> New queue
    </Button>
  );

  return (
    <>
      {queues.length === 0 ? (
        <EmptyState icon={Inbox} title="No queues yet" action={newQueueButton}>
          Create a queue for each team that answers email, such as Support or Billing. Routes deliver each address into a queue.
        </EmptyState>
      ) : (
        <Card>
          <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
            <p className="text-sm text-slate-600">
              {queues.length} {queues.length === 1 ? "queue" : "queues"}
            </p>
            {newQueueButton}
          </div>
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">Name</th>
                <th scope="col" className="px-5 py-2 font-medium">Description</th>
                <th scope="col" className="px-5 py-2 text-right font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {queues.map((queue) => (
                <tr key={queue.id}>
                  <td className="px-5 py-3 font-medium text-slate-900">{queue.name}</td>
                  <td className="px-5 py-3 text-slate-600">{queue.description || "—"}</td>
                  <td className="px-5 py-3">
                    <div className="flex justify-end gap-1">
                      <Button variant="ghost" size="sm" onClick={() => setEditing(queue)} disabled={!canManage} title={manageHint} aria-label={`Rename ${queue.name}`}>
                        <Pencil aria-hidden /> Rename
                      </Button>
                      <Button variant="ghost" size="sm" onClick={() => setDeleting(queue)} disabled={!canManage} title={manageHint} aria-label={`Delete ${queue.name}`}>
                        <Trash2 aria-hidden /> Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}

      <Dialog open={creating} onOpenChange={setCreating}>
        <DialogContent title="New queue" description="Names are unique within your organisation, whatever their case.">
          <QueueForm
            submitLabel="Create queue"
            onSubmit={async (values, form) => {
              const result = await createQueueAction(values);
              if (result.ok) {
                toast.success(`Queue "${result.data.name}" created`);
                setCreating(false);
                router.refresh();
                return;
              }
              const message = applyActionErrors(result, form.setError, ["name", "description"]);
              if (message) form.setError("root", { message });
            }}
          />
        </DialogContent>
      </Dialog>

      <Dialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)}>
        {editing ? (
          <DialogContent title={`Rename ${editing.name}`}>
            <QueueForm
              initial={editing}
              submitLabel="Save"
              onSubmit={async (values, form) => {
                const result = await updateQueueAction({ ...values, id: editing.id, version: editing.version });
                if (result.ok) {
                  toast.success("Queue saved");
                  setEditing(null);
                  router.refresh();
                  return;
                }
                if (result.code === "stale" && result.current) {
                  const current = result.current as QueueRow;
                  form.setError("root", {
                    message: `Someone else changed this queue while you were editing: it is now named "${current.name}". Save again to replace their change with yours, or close to keep theirs.`,
                  });
                  setEditing({ ...editing, version: current.version });
                  router.refresh();
                  return;
                }
                const message = applyActionErrors(result, form.setError, ["name", "description"]);
                if (message) form.setError("root", { message });
              }}
            />
          </DialogContent>
        ) : null}
      </Dialog>

      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        {deleting ? (
          <DialogContent title={`Delete ${deleting.name}?`} description="The queue is removed for everyone in your organisation.">
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setDeleting(null)}>
                Cancel
              </Button>
              <Button
                variant="danger"
                pending={deletePending}
                onClick={() =>
                  startDelete(async () => {
                    const result = await deleteQueueAction({ id: deleting.id });
                    if (result.ok) toast.success(`Queue "${deleting.name}" deleted`);
                    else toast.error(result.error);
                    setDeleting(null);
                    router.refresh();
                  })
                }
              >
                Delete queue
              </Button>
            </div>
          </DialogContent>
        ) : null}
      </Dialog>
    </>
  );
}

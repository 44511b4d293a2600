"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Inbox, Languages, Plus, Sparkles, type LucideIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import {
  catalogueUsageAction,
  createLanguageAction,
  createQueueAction,
  createSkillAction,
  deleteLanguageAction,
  deleteQueueAction,
  deleteSkillAction,
  updateLanguageAction,
  updateQueueAction,
  updateSkillAction,
} from "@/app/(console)/queues/actions";
import { applyActionErrors, formOf } from "@/components/forms/apply-action-errors";
import { TextField } from "@/components/forms/fields";
import { ConflictNotice } from "@/components/forms/conflict-notice";
import { discardChanges, useDiscardGuard, useReportEdits, type ReportEdits } from "@/components/forms/discard-guard";
import { chooseSide, conflictFrom, type PendingConflict } from "@/components/forms/merge-conflict";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogContent, DialogActions } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Link } from "@/components/ui/link";
import { asActionResult, type ActionResult } from "@/lib/actions/result";
import { CATALOGUE_NOUNS, catalogueFields, catalogueFormSchema, type CatalogueFormValues, type CatalogueKind } from "@/lib/queues/schemas";
import type { CatalogueEntry, CatalogueRow, StaleCatalogueEntry } from "@/lib/queues/types";

import { CatalogueTable, routesHref, routesLabel } from "./catalogue-table";

type Saved = { id: string; name: string };
interface CatalogueActions {
  create: (input: { name: string; description?: string }) => Promise<ActionResult<Saved>>;
  update: (input: {
    id: string;
    version: number;
    name: string;
    description?: string;
    base?: { name: string; description: string };
  }) => Promise<ActionResult<Saved & { version: number }, StaleCatalogueEntry>>;
  remove: (input: { id: string }) => Promise<ActionResult<{ id: string }>>;
}

const ACTIONS: Record<CatalogueKind, CatalogueActions> = {
  queue: { create: createQueueAction, update: updateQueueAction, remove: deleteQueueAction },
  skill: { create: createSkillAction, update: updateSkillAction, remove: deleteSkillAction },
  language: { create: createLanguageAction, update: updateLanguageAction, remove: deleteLanguageAction },
};

const PRESENTATION: Record<CatalogueKind, { icon: LucideIcon; empty: string; dialogHint: string }> = {
  queue: {
    icon: Inbox,
    empty: "Create a queue for each team that answers email, such as Support or Billing. Routes deliver each address into a queue.",
    dialogHint: "Names are unique within your organisation, whatever their case.",
  },
  skill: {
    icon: Sparkles,
    empty: "Skills, such as Billing or Returns, let a route ask for agents who have them.",
    dialogHint: "Skill names are unique within your organisation, whatever their case.",
  },
  language: {
    icon: Languages,
    empty: "Languages, such as English or Français, let a route ask for agents who speak them.",
    dialogHint: "Language names are unique within your organisation, whatever their case.",
  },
};

function CatalogueForm({
  kind,
  initial,
  submitLabel,
  onSubmit,
  conflict,
  onEdits,
}: {
  kind: CatalogueKind;
  initial?: CatalogueRow;
  submitLabel: string;
  /** `element` is the form, to bring the server's errors into view. */
  onSubmit: (values: { name: string; description: string }, form: ReturnType<typeof useForm<CatalogueFormValues>>, element: HTMLFormElement | null) => Promise<void>;
  conflict?: (form: ReturnType<typeof useForm<CatalogueFormValues>>) => React.ReactNode;
  onEdits?: ReportEdits;
}) {
  const schema = useMemo(() => catalogueFormSchema(kind), [kind]);
  const form = useForm<CatalogueFormValues>({
    resolver: zodResolver(schema),
    defaultValues: { name: initial?.name ?? "", description: initial?.description ?? "" },
  });
  const { register, handleSubmit, formState } = form;
  useReportEdits(onEdits, formState.isDirty, formState.isSubmitting);
  const nameError = formState.errors.name?.message;
  const descriptionError = formState.errors.description?.message;
  const formError = formState.errors.root?.message;
  const idPrefix = `${kind}-form`;
  return (
    <form noValidate className="space-y-4" onSubmit={handleSubmit(async (values, event) => onSubmit(schema.parse(values), form, formOf(event)))}>
      <Alert tone="danger">{formError}</Alert>
      {conflict?.(form)}
      <TextField id={`${idPrefix}-name`} label="Name" error={nameError} autoFocus {...register("name")} />
      {kind === "queue" ? (
        <TextField id={`${idPrefix}-description`} label="Description (optional)" error={descriptionError} {...register("description")} />
      ) : null}
      <div className="flex justify-end gap-2">
        <Button type="submit" pending={formState.isSubmitting}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

function EditDialog({ kind, row, onClose, onEdits }: { kind: CatalogueKind; row: CatalogueRow; onClose: () => void; onEdits: ReportEdits }) {
  const router = useRouter();
  const nouns = CATALOGUE_NOUNS[kind];
  // The version the next save is based on: as opened, or as stored when a save conflicted.
  const [base, setBase] = useState<CatalogueEntry>(row);
  const [conflict, setConflict] = useState<PendingConflict | null>(null);
  const fields = catalogueFields(kind);
  const valuesOf = (entry: CatalogueEntry) => ({ name: entry.name, description: entry.description });

  const save = async (values: { name: string; description: string }, form: ReturnType<typeof useForm<CatalogueFormValues>>, element: HTMLFormElement | null) => {
    const result = await asActionResult(ACTIONS[kind].update({ ...values, id: row.id, version: base.version, base: valuesOf(base) }));
    if (result.ok) {
      toast.success(`${nouns.title} "${result.data.name}" saved`);
      onClose();
      router.refresh();
      return;
    }
    if (result.code === "stale" && result.current) {
      const { entry, conflicts } = result.current;
      const { next, conflict: pending } = conflictFrom({
        base: valuesOf(base),
        theirs: valuesOf(entry),
        mine: values,
        fields,
        labels: { name: "Name", description: "Description" },
        changedBy: null,
        reported: conflicts,
      });
      setBase(entry);
      form.reset(next, { keepDefaultValues: true });
      setConflict(pending);
      return;
    }
    const message = applyActionErrors(result, form.setError, ["name", "description"], element);
    if (message) form.setError("root", { message });
  };

  return (
    <DialogContent title={`Rename ${row.name}`} description={PRESENTATION[kind].dialogHint}>
      <CatalogueForm
        kind={kind}
        initial={row}
        submitLabel="Save"
        onSubmit={save}
        onEdits={onEdits}
        conflict={(form) =>
          conflict ? (
            <ConflictNotice
              noun={nouns.one}
              changedBy={conflict.changedBy}
              rows={conflict.rows}
              choices={conflict.choices}
              onChoose={(name, side) => {
                const chosen = chooseSide(conflict, name, side);
                form.setValue(name as "name" | "description", String(chosen.value ?? ""), { shouldDirty: true });
                setConflict(chosen.conflict);
              }}
            />
          ) : null
        }
      />
    </DialogContent>
  );
}

function DeleteDialog({ kind, row, onClose }: { kind: CatalogueKind; row: CatalogueRow; onClose: () => void }) {
  const router = useRouter();
  const nouns = CATALOGUE_NOUNS[kind];
  const [pending, startDelete] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [usage, setUsage] = useState<{ addresses: string[]; total: number } | null>(null);

  useEffect(() => {
    if (row.routeCount === 0) return;
    let live = true;
    void asActionResult(catalogueUsageAction({ kind, id: row.id })).then((result) => {
      if (live && result.ok) setUsage(result.data);
    });
    return () => {
      live = false;
    };
  }, [kind, row.id, row.routeCount]);

  const inUse = row.routeCount > 0;
  return (
    <DialogContent
      title={inUse ? `${row.name} is in use` : `Delete ${row.name}?`}
      description={inUse ? undefined : `The ${nouns.one} is removed for everyone in your organisation.`}
    >
      <Alert tone="danger" className="mb-4">
        {error}
      </Alert>
      {inUse ? (
        <div className="mb-4 space-y-3 text-sm text-slate-700">
          <p>
            {routesLabel(row.routeCount)} {row.routeCount === 1 ? "uses" : "use"} this {nouns.one}, so it cannot be deleted. Change{" "}
            {row.routeCount === 1 ? "that route" : "those routes"} to another {nouns.one} first.
          </p>
          {usage ? (
            <ul aria-label={`Routes using ${row.name}`} className="max-h-48 list-disc overflow-y-auto pl-5 font-mono text-xs">
              {usage.addresses.map((address) => (
                <li key={address}>{address}</li>
              ))}
              {usage.total > usage.addresses.length ? <li className="list-none font-sans">and {usage.total - usage.addresses.length} more</li> : null}
            </ul>
          ) : null}
          <Link href={routesHref(kind, row)} className="font-medium text-brand-700 underline-offset-4 hover:underline">
            Show these routes
          </Link>
        </div>
      ) : null}
      <DialogActions onCancel={onClose} cancelLabel={inUse ? "Close" : "Cancel"}>
        {inUse ? null : (
          <Button
            variant="danger"
            pending={pending}
            onClick={() =>
              startDelete(async () => {
                const result = await asActionResult(ACTIONS[kind].remove({ id: row.id }));
                if (result.ok) {
                  toast.success(`${nouns.title} "${row.name}" deleted`);
                  onClose();
                  router.refresh();
                } else {
                  setError(result.error);
                  router.refresh();
                }
              })
            }
          >
            Delete {nouns.one}
          </Button>
        )}
      </DialogActions>
    </DialogContent>
  );
}

export function CatalogueManager({ kind, rows, canManage }: { kind: CatalogueKind; rows: CatalogueRow[]; canManage: boolean }) {
  const router = useRouter();
  const nouns = CATALOGUE_NOUNS[kind];
  const { icon: Icon, empty, dialogHint } = PRESENTATION[kind];
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<CatalogueRow | null>(null);
  const [deleting, setDeleting] = useState<CatalogueRow | null>(null);
  const manageHint = canManage ? undefined : MANAGE_REQUIRED_HINT;
  // Escape or a click outside with a name typed asks first, as the route dialog does.
  const createGuard = useDiscardGuard(() => setCreating(false), discardChanges(nouns.one));
  const editGuard = useDiscardGuard(() => setEditing(null), discardChanges(nouns.one));

  const newButton = (
    <Button onClick={() => setCreating(true)} disabled={!canManage} title={manageHint}>
      <Plus aria-hidden /> New {nouns.one}
    </Button>
  );

  return (
    <>
      {rows.length === 0 ? (
        <EmptyState icon={Icon} title={`No ${nouns.many} yet`} action={newButton}>
          {empty}
        </EmptyState>
      ) : (
        <Card>
          <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 py-3">
            <p className="text-sm text-slate-600">
              {rows.length} {rows.length === 1 ? nouns.one : nouns.many}
            </p>
            {newButton}
          </div>
          <CatalogueTable kind={kind} rows={rows} canManage={canManage} onEdit={setEditing} onDelete={setDeleting} />
        </Card>
      )}

      <Dialog open={creating} onOpenChange={(open) => (open ? setCreating(true) : createGuard.requestClose())}>
        {creating ? (
          <DialogContent title={`New ${nouns.one}`} description={dialogHint}>
            <CatalogueForm
              kind={kind}
              submitLabel={`Create ${nouns.one}`}
              onEdits={createGuard.report}
              onSubmit={async (values, form, element) => {
                const result = await asActionResult(ACTIONS[kind].create(values));
                if (result.ok) {
                  toast.success(`${nouns.title} "${result.data.name}" created`);
                  createGuard.close();
                  router.refresh();
                  return;
                }
                const message = applyActionErrors(result, form.setError, ["name", "description"], element);
                if (message) form.setError("root", { message });
              }}
            />
          </DialogContent>
        ) : null}
      </Dialog>

      <Dialog open={editing !== null} onOpenChange={(open) => !open && editGuard.requestClose()}>
        {editing ? <EditDialog key={editing.id} kind={kind} row={editing} onClose={editGuard.close} onEdits={editGuard.report} /> : null}
      </Dialog>
      {createGuard.confirmation}
      {editGuard.confirmation}

      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        {deleting ? <DeleteDialog key={deleting.id} kind={kind} row={deleting} onClose={() => setDeleting(null)} /> : null}
      </Dialog>
    </>
  );
}

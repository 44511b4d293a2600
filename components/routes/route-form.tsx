"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMemo, useState, type BaseSyntheticEvent, type ReactNode } from "react";
import { Controller, useForm, useWatch, type FieldErrors as FormErrors } from "react-hook-form";

import { createRouteAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { applyActionErrors, formOf } from "@/components/forms/apply-action-errors";
import { ConflictNotice, type ConflictRow, type ConflictSide } from "@/components/forms/conflict-notice";
import { useReportEdits, type ReportEdits } from "@/components/forms/discard-guard";
import { CheckboxField, CheckboxGroup, ErrorList, SelectField, TextareaField, TextField, type ListedError } from "@/components/forms/fields";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Link } from "@/components/ui/link";
import { asActionResult, type ActionFailure } from "@/lib/actions/result";
import { mergeRouteEdit, routeValuesOf } from "@/lib/routes/merge";
import {
  createRouteSchema,
  HISTORY_INCLUSIONS,
  MAX_AUTO_BCC,
  ROUTE_FIELD_LABELS,
  ROUTE_FORM_FIELDS,
  type CreateRouteInput,
  type RouteFormField,
  type RouteValues,
} from "@/lib/routes/schemas";
import type { Option, RouteLookups, RouteRow, StaleRoute } from "@/lib/routes/types";

import { OptionList } from "./option-list";
import { ReplyRoutePicker } from "./reply-route-picker";

type FormValues = CreateRouteInput;
type ReplyMode = "own" | "address" | "route";

const HISTORY_HINTS: Record<(typeof HISTORY_INCLUSIONS)[number], string> = {
  Include: "Include: replies always quote the earlier conversation",
  Exclude: "Exclude: replies never quote it",
  Optional: "Optional: the agent decides on each reply",
};

function formValuesFrom(route: RouteRow | undefined, defaultDomainId: string | undefined): FormValues {
  return {
    domainId: route?.domainId ?? defaultDomainId ?? "",
    pattern: route?.pattern ?? "",
    queueId: route?.queueId ?? "",
    priority: String(route?.priority ?? 5),
    skillIds: route?.skillIds ?? [],
    languageId: route?.languageId ?? "",
    fromName: route?.fromName ?? "",
    fromEmail: route?.fromEmail ?? "",
    replyRouteId: route?.replyRouteId ?? "",
    autoBcc: route?.autoBcc.join("\n") ?? "",
    historyInclusion: route?.historyInclusion ?? "Optional",
    allowMultipleActions: route?.allowMultipleActions ?? false,
    spamQueueId: route?.spamQueueId ?? "",
  };
}

function replyModeOf(values: { fromEmail?: string | null; replyRouteId?: string | null }): ReplyMode {
  if (values.replyRouteId) return "route";
  if (values.fromEmail) return "address";
  return "own";
}

/** Every field as an admin reads it, to set two versions of a field side by side. */
function describeRow(row: RouteRow): Record<RouteFormField, string> {
  return {
    domainId: row.domainName,
    pattern: row.pattern,
    queueId: row.queueName,
    priority: String(row.priority),
    skillIds: row.skillNames.join(", "),
    languageId: row.languageName ?? "",
    fromName: row.fromName,
    fromEmail: row.fromEmail ?? "",
    replyRouteId: row.replyAddress ?? "",
    autoBcc: row.autoBcc.join(", "),
    historyInclusion: row.historyInclusion,
    allowMultipleActions: row.allowMultipleActions ? "Yes" : "No",
    spamQueueId: row.spamQueueName ?? "",
  };
}

function describeValues(values: RouteValues, lookups: RouteLookups, replyLabel: string | null): Record<RouteFormField, string> {
  const name = (options: Option[], id: string | null) => (id ? (options.find((option) => option.id === id)?.name ?? "") : "");
  return {
    domainId: name(lookups.domains, values.domainId),
    pattern: values.pattern,
    queueId: name(lookups.queues, values.queueId),
    priority: String(values.priority),
    skillIds: lookups.skills
      .filter((skill) => values.skillIds.includes(skill.id))
      .map((skill) => skill.name)
      .join(", "),
    languageId: name(lookups.languages, values.languageId),
    fromName: values.fromName,
    fromEmail: values.fromEmail ?? "",
    replyRouteId: values.replyRouteId ? (replyLabel ?? "") : "",
    autoBcc: values.autoBcc.join(", "),
    historyInclusion: values.historyInclusion,
    allowMultipleActions: values.allowMultipleActions ? "Yes" : "No",
    spamQueueId: name(lookups.queues, values.spamQueueId),
  };
}

/** A field's control; the domain picker and the address share the address line. */
const ID = (field: string) => `route-${field}`;

/** Every field error, in the order of the form, for the list above it. */
function listedErrors(errors: FormErrors<FormValues>): ListedError[] {
  return ROUTE_FORM_FIELDS.flatMap((field) => {
    const message = errors[field]?.message;
    return typeof message === "string" ? [{ id: ID(field), label: ROUTE_FIELD_LABELS[field], message }] : [];
  });
}

interface Conflict {
  changedBy: string | null;
  rows: ConflictRow[];
  /** Their and my form values of each conflicting field, to apply the admin's choice. */
  values: Partial<Record<RouteFormField, { theirs: FormValues[RouteFormField]; yours: FormValues[RouteFormField] }>>;
  choices: Record<string, ConflictSide>;
}

export const ROUTE_FORM_ID = "route-form";

/** A link out of the form opens a new tab, so following it keeps the draft in this one. */
function NewTabLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} target="_blank" rel="noopener" className="text-brand-700 underline">
      {children}
      <span className="sr-only"> (opens in a new tab)</span>
    </Link>
  );
}

export function RouteForm({
  route,
  defaultDomainId,
  lookups,
  onSaved,
  onCancel,
  onEdits,
}: {
  /** The route being edited; absent for a new route. */
  route?: RouteRow;
  defaultDomainId?: string;
  lookups: RouteLookups;
  onSaved: (saved: { id: string; address: string }, created: boolean) => void;
  onCancel: () => void;
  /** Told whenever the form starts or stops differing from what it opened with, or saving. */
  onEdits?: ReportEdits;
}) {
  // The version the next save is based on: the route as opened, or as stored when a save conflicted.
  const [base, setBase] = useState<RouteRow | undefined>(route);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [replyMode, setReplyMode] = useState<ReplyMode>(replyModeOf(route ?? {}));
  const [replyLabel, setReplyLabel] = useState<string | null>(route?.replyAddress ?? null);
  const form = useForm<FormValues, unknown, RouteValues>({
    resolver: zodResolver(createRouteSchema),
    defaultValues: formValuesFrom(route, defaultDomainId),
    criteriaMode: "firstError",
  });
  const { register, handleSubmit, formState, setValue, control } = form;
  const [domainId, autoBcc, historyInclusion] = useWatch({ control, name: ["domainId", "autoBcc", "historyInclusion"] });
  const errors = formState.errors;
  const error = (field: RouteFormField) => errors[field]?.message as string | undefined;
  const domain = lookups.domains.find((candidate) => candidate.id === domainId);
  const verifiedDomains = useMemo(
    () => lookups.domains.filter((candidate) => candidate.status === "verified" || candidate.status === "grace"),
    [lookups.domains],
  );
  useReportEdits(onEdits, formState.isDirty, formState.isSubmitting);

  const placeErrors = (failure: ActionFailure, event: BaseSyntheticEvent | undefined) => {
    const message = applyActionErrors(failure, form.setError, ROUTE_FORM_FIELDS, formOf(event));
    if (message) form.setError("root", { message });
  };

  /**
   * Both admins changed some of the same fields: take every field the server would have merged,
   * set their value in each conflicting field until the admin chooses, and base the next save on
   * the stored version, so saving sends only what the admin chose.
   */
  const showConflict = (stale: StaleRoute, mine: RouteValues) => {
    if (!base) return;
    const theirsRow = stale.route;
    const { merged, conflicts } = mergeRouteEdit(routeValuesOf(base), routeValuesOf(theirsRow), mine);
    const theirsForm = formValuesFrom(theirsRow, undefined);
    const mineForm = form.getValues();
    const theirsText = describeRow(theirsRow);
    const yoursText = describeValues(mine, lookups, replyLabel);
    const fields = conflicts.length > 0 ? conflicts : stale.conflicts;
    const next: FormValues = { ...mineForm };
    for (const field of ROUTE_FORM_FIELDS) {
      const takeTheirs = fields.includes(field) || JSON.stringify(merged[field]) !== JSON.stringify(mine[field]);
      if (takeTheirs) (next as Record<string, unknown>)[field] = theirsForm[field];
    }
    setBase(theirsRow);
    form.reset(next, { keepDefaultValues: true });
    setReplyMode(replyModeOf(next));
    if (next.replyRouteId === theirsForm.replyRouteId) setReplyLabel(theirsRow.replyAddress);
    setConflict({
      changedBy: stale.changedBy,
      rows: fields.map((field) => ({ name: field, field: ROUTE_FIELD_LABELS[field], theirs: theirsText[field], yours: yoursText[field] })),
      values: Object.fromEntries(fields.map((field) => [field, { theirs: theirsForm[field], yours: mineForm[field] }])),
      choices: Object.fromEntries(fields.map((field) => [field, "theirs" as const])),
    });
  };

  const choose = (name: string, side: ConflictSide) => {
    if (!conflict) return;
    const field = name as RouteFormField;
    const pair = conflict.values[field];
    if (pair) {
      setValue(field, pair[side], { shouldDirty: true });
      if (field === "fromEmail" || field === "replyRouteId") setReplyMode(replyModeOf(form.getValues()));
    }
    setConflict({ ...conflict, choices: { ...conflict.choices, [name]: side } });
  };

  const save = async (values: RouteValues, event?: BaseSyntheticEvent) => {
    // A reply source picked but left empty would save as "this route's own address", quietly
    // dropping the From email or reply route the route had: the admin is asked to finish instead.
    if (replyMode === "route" && !values.replyRouteId) {
      form.setError("replyRouteId", { message: "Choose the route whose address replies come from" }, { shouldFocus: true });
      return;
    }
    if (replyMode === "address" && !values.fromEmail) {
      form.setError("fromEmail", { message: "Enter the address replies come from, or choose this route's own address" }, { shouldFocus: true });
      return;
    }
    const result = route
      ? await asActionResult(updateRouteAction({ ...values, id: route.id, version: base?.version ?? route.version, base: base ? routeValuesOf(base) : undefined }))
      : await asActionResult(createRouteAction(values));
    if (result.ok) {
      onSaved(result.data, !route);
      return;
    }
    if (result.code === "stale" && result.current) {
      showConflict(result.current, values);
      return;
    }
    placeErrors(result, event);
  };

  const changeReplyMode = (mode: ReplyMode) => {
    setReplyMode(mode);
    if (mode !== "address") setValue("fromEmail", "", { shouldDirty: true });
    if (mode !== "route") {
      setValue("replyRouteId", "", { shouldDirty: true });
      setReplyLabel(null);
    }
  };

  const formError = errors.root?.message;
  const noQueues = lookups.queues.length === 0;
  const listed = formState.submitCount > 0 ? listedErrors(errors) : [];

  return (
    <form
      id={ROUTE_FORM_ID}
      noValidate
      className="space-y-5"
      aria-label={route ? `Edit ${route.address}` : "New route"}
      aria-describedby={listed.length > 0 ? "route-form-errors" : undefined}
      onSubmit={handleSubmit(save)}
    >
      <Alert tone="danger">{formError}</Alert>
      <ErrorList id="route-form-errors" errors={listed} />
      {conflict ? (
        <ConflictNotice noun="route" changedBy={conflict.changedBy} rows={conflict.rows} choices={conflict.choices} onChoose={choose} />
      ) : null}

      <div role="group" aria-labelledby="route-address-legend" className="space-y-1.5">
        <p id="route-address-legend" className="sr-only">
          Email address
        </p>
        <div className="flex flex-wrap items-start gap-x-2 gap-y-3">
          <TextField
            id={ID("pattern")}
            label="Address"
            className="min-w-0 flex-1 basis-48"
            error={error("pattern")}
            hint="The part before the @: letters, digits and . _ - + (up to 64 characters). Unique on its domain, whatever the case."
            spellCheck={false}
            autoFocus={!route}
            placeholder="support"
            {...register("pattern")}
          />
          <span className="pt-8 text-sm font-medium text-slate-500" aria-hidden>
            @
          </span>
          <SelectField
            id={ID("domainId")}
            label="Domain"
            className="min-w-0 flex-1 basis-48"
            error={error("domainId")}
            hint={domain && domain.status === "pending" ? `${domain.name} is not verified yet: the route is saved now and receives mail once it is.` : undefined}
            {...register("domainId")}
          >
            <option value="">Choose a domain…</option>
            {lookups.domains.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
                {option.status === "pending" ? " (not verified yet)" : ""}
              </option>
            ))}
          </SelectField>
        </div>
      </div>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold text-slate-900">Delivery</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            id={ID("queueId")}
            label="Queue"
            error={error("queueId")}
            hint={noQueues ? <NewTabLink href="/queues">Create a queue first</NewTabLink> : undefined}
            {...register("queueId")}
          >
            <OptionList options={lookups.queues} none="Choose a queue…" />
          </SelectField>
          <SelectField id={ID("priority")} label="Priority" error={error("priority")} hint="From 1 to 10; 5 unless you choose otherwise" {...register("priority")}>
            {Array.from({ length: 10 }, (_, index) => String(index + 1)).map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </SelectField>
          <SelectField id={ID("languageId")} label="Language (optional)" error={error("languageId")} {...register("languageId")}>
            <OptionList options={lookups.languages} none="No language" />
          </SelectField>
          <SelectField id={ID("spamQueueId")} label="Spam queue (optional)" error={error("spamQueueId")} hint="Where mail flagged as spam goes instead" {...register("spamQueueId")}>
            <OptionList options={lookups.queues} none="No spam queue" />
          </SelectField>
        </div>
        <Controller
          control={control}
          name="skillIds"
          render={({ field }) => (
            <CheckboxGroup
              id={ID("skillIds")}
              legend="Skills (optional)"
              options={lookups.skills}
              value={Array.isArray(field.value) ? field.value : []}
              onChange={field.onChange}
              error={error("skillIds")}
              empty={
                <>
                  No skills yet. <NewTabLink href="/queues?tab=skills">Add skills</NewTabLink> to ask for agents who have them.
                </>
              }
            />
          )}
        />
      </fieldset>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold text-slate-900">Replies</legend>
        <TextField id={ID("fromName")} label="From name" error={error("fromName")} hint="Customers see this as the sender of replies" {...register("fromName")} />
        <div role="radiogroup" aria-labelledby="route-reply-mode-label" className="space-y-1.5">
          <p id="route-reply-mode-label" className="text-sm font-medium text-slate-800">
            Replies come from
          </p>
          {(
            [
              ["own", "This route's own address"],
              ["address", "Another address on a verified domain (From email)"],
              ["route", "Another route's address"],
            ] as const
          ).map(([mode, text]) => (
            <label key={mode} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name="route-reply-mode"
                className="size-4 accent-brand-600"
                checked={replyMode === mode}
                onChange={() => changeReplyMode(mode)}
              />
              {text}
            </label>
          ))}
        </div>
        {replyMode === "address" ? (
          <TextField
            id={ID("fromEmail")}
            label="From email"
            error={error("fromEmail")}
            hint={
              verifiedDomains.length > 0
                ? `An address on ${verifiedDomains.map((candidate) => candidate.name).join(", ")}`
                : "None of your domains is verified yet; replies can only come from a verified domain"
            }
            type="email"
            spellCheck={false}
            {...register("fromEmail")}
          />
        ) : null}
        {replyMode === "route" ? (
          <Field id={ID("replyRouteId")} label="Reply from route" error={error("replyRouteId")}>
            <Controller
              control={control}
              name="replyRouteId"
              render={({ field }) => (
                <ReplyRoutePicker
                  id={ID("replyRouteId")}
                  value={field.value ?? ""}
                  label={replyLabel}
                  excludeId={route?.id}
                  invalid={Boolean(error("replyRouteId"))}
                  describedBy={error("replyRouteId") ? `${ID("replyRouteId")}-error` : undefined}
                  onChange={(id, label) => {
                    field.onChange(id);
                    setReplyLabel(label);
                  }}
                />
              )}
            />
          </Field>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextareaField
            id={ID("autoBcc")}
            label="Auto-BCC (optional)"
            error={error("autoBcc")}
            hint={replyMode === "route" ? "Not available when replies come from another route" : `Up to ${MAX_AUTO_BCC} addresses, one per line`}
            rows={3}
            spellCheck={false}
            disabled={replyMode === "route" && !error("autoBcc") && !autoBcc}
            {...register("autoBcc")}
          />
          <div className="space-y-4">
            <SelectField
              id={ID("historyInclusion")}
              label="History inclusion"
              error={error("historyInclusion")}
              hint={HISTORY_HINTS[(historyInclusion || "Optional") as keyof typeof HISTORY_HINTS]}
              {...register("historyInclusion")}
            >
              {HISTORY_INCLUSIONS.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </SelectField>
            <CheckboxField
              id={ID("allowMultipleActions")}
              label="Allow multiple actions"
              hint="The conversation stays open after each action; the agent ends it"
              {...register("allowMultipleActions")}
            />
          </div>
        </div>
      </fieldset>

      {/* Always in view, however long the form or small the screen: the dialog scrolls under it. */}
      <div className="sticky -bottom-6 z-10 -mx-6 -mb-6 flex justify-end gap-2 border-t border-slate-200 bg-white px-6 py-4" data-testid="route-form-footer">
        <Button type="button" variant="secondary" onClick={onCancel} disabled={formState.isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" pending={formState.isSubmitting}>
          {route ? "Save route" : "Create route"}
        </Button>
      </div>
    </form>
  );
}

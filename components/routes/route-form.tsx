"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";

import { createRouteAction, updateRouteAction } from "@/app/(console)/routes/actions";
import { applyActionErrors } from "@/components/forms/apply-action-errors";
import { ConflictNotice, type ConflictRow } from "@/components/forms/conflict-notice";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import type { ActionFailure } from "@/lib/actions/result";
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

function replyModeOf(route: RouteRow | undefined): ReplyMode {
  if (route?.replyRouteId) return "route";
  if (route?.fromEmail) return "address";
  return "own";
}

/** Every field as an admin reads it, to compare two versions of a route field by field. */
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

function conflictRows(base: RouteRow, current: RouteRow, mine: RouteValues, lookups: RouteLookups, replyLabel: string | null): ConflictRow[] {
  const before = describeRow(base);
  const now = describeRow(current);
  const yours = describeValues(mine, lookups, replyLabel);
  return ROUTE_FORM_FIELDS.filter((field) => before[field] !== now[field]).map((field) => ({
    field: ROUTE_FIELD_LABELS[field],
    theirs: now[field],
    yours: yours[field],
  }));
}

const ID = (field: string) => `route-${field}`;

export function RouteForm({
  route,
  defaultDomainId,
  lookups,
  onSaved,
}: {
  /** The route being edited; absent for a new route. */
  route?: RouteRow;
  defaultDomainId?: string;
  lookups: RouteLookups;
  onSaved: (saved: { id: string; address: string }, created: boolean) => void;
}) {
  // The version the next save is based on: the route as loaded, or as it was when a conflict was shown.
  const [base, setBase] = useState<RouteRow | undefined>(route);
  const [stale, setStale] = useState<{ current: StaleRoute; mine: RouteValues } | null>(null);
  const [replyMode, setReplyMode] = useState<ReplyMode>(replyModeOf(route));
  const [replyLabel, setReplyLabel] = useState<string | null>(route?.replyAddress ?? null);
  const form = useForm<FormValues, unknown, RouteValues>({
    resolver: zodResolver(createRouteSchema),
    defaultValues: formValuesFrom(route, defaultDomainId),
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

  const placeErrors = (failure: ActionFailure) => {
    const message = applyActionErrors(failure, form.setError, ROUTE_FORM_FIELDS);
    if (message) form.setError("root", { message });
  };

  const save = async (values: RouteValues, version: number | undefined) => {
    const result = route
      ? await updateRouteAction({ ...values, id: route.id, version: version ?? route.version })
      : await createRouteAction(values);
    if (result.ok) {
      onSaved(result.data, !route);
      return;
    }
    if (result.code === "stale" && result.current) {
      setStale({ current: result.current, mine: values });
      return;
    }
    placeErrors(result);
  };

  const changeReplyMode = (mode: ReplyMode) => {
    setReplyMode(mode);
    if (mode !== "address") setValue("fromEmail", "");
    if (mode !== "route") {
      setValue("replyRouteId", "");
      setReplyLabel(null);
    }
  };

  const formError = errors.root?.message;
  const noQueues = lookups.queues.length === 0;
  const formErrorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (formError) formErrorRef.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [formError]);

  return (
    <form noValidate className="space-y-5" onSubmit={handleSubmit((values) => save(values, base?.version))}>
      {formError ? (
        <div ref={formErrorRef}>
          <Alert tone="danger">{formError}</Alert>
        </div>
      ) : null}
      {stale && base ? (
        <ConflictNotice
          noun="route"
          changedBy={stale.current.changedBy}
          rows={conflictRows(base, stale.current.route, stale.mine, lookups, replyLabel)}
          onReload={() => {
            const current = stale.current.route;
            setBase(current);
            setStale(null);
            setReplyMode(replyModeOf(current));
            setReplyLabel(current.replyAddress);
            form.reset(formValuesFrom(current, undefined));
          }}
          onOverwrite={() => {
            const current = stale.current.route;
            setBase(current);
            setStale(null);
            void handleSubmit((values) => save(values, current.version))();
          }}
          overwritePending={formState.isSubmitting}
        />
      ) : null}

      <fieldset className="space-y-1.5">
        <legend className="sr-only">Address</legend>
        <div className="flex flex-wrap items-end gap-x-2 gap-y-3">
          <div className="min-w-0 flex-1 basis-48 space-y-1.5">
            <label htmlFor={ID("pattern")} className="block text-sm font-medium text-slate-800">
              Address
            </label>
            <Input
              {...fieldA11y(ID("pattern"), error("pattern"), true)}
              autoComplete="off"
              spellCheck={false}
              autoFocus={!route}
              placeholder="support"
              {...register("pattern")}
            />
          </div>
          <span className="pb-2 text-sm font-medium text-slate-500" aria-hidden>
            @
          </span>
          <div className="min-w-0 flex-1 basis-48 space-y-1.5">
            <label htmlFor={ID("domainId")} className="block text-sm font-medium text-slate-800">
              Domain
            </label>
            <Select {...fieldA11y(ID("domainId"), error("domainId"))} {...register("domainId")}>
              <option value="">Choose a domain…</option>
              {lookups.domains.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.name}
                  {option.status === "pending" ? " (not verified yet)" : ""}
                </option>
              ))}
            </Select>
          </div>
        </div>
        {error("pattern") ? (
          <p id={`${ID("pattern")}-error`} role="alert" className="text-xs font-medium text-red-700">
            {error("pattern")}
          </p>
        ) : (
          <p id={`${ID("pattern")}-hint`} className="text-xs text-slate-500">
            The part before the @: letters, digits and . _ - + (up to 64 characters). Unique on its domain, whatever the case.
          </p>
        )}
        {error("domainId") ? (
          <p id={`${ID("domainId")}-error`} role="alert" className="text-xs font-medium text-red-700">
            {error("domainId")}
          </p>
        ) : domain && domain.status === "pending" ? (
          <p className="text-xs text-amber-800">{domain.name} is not verified yet: the route is saved now and receives mail once it is.</p>
        ) : null}
      </fieldset>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold text-slate-900">Delivery</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id={ID("queueId")}
            label="Queue"
            error={error("queueId")}
            hint={noQueues ? <Link href="/queues" className="text-brand-700 underline">Create a queue first</Link> : undefined}
          >
            <Select {...fieldA11y(ID("queueId"), error("queueId"), noQueues)} {...register("queueId")}>
              <OptionList options={lookups.queues} none="Choose a queue…" />
            </Select>
          </Field>
          <Field id={ID("priority")} label="Priority" error={error("priority")} hint="From 1 to 10; 5 unless you choose otherwise">
            <Select {...fieldA11y(ID("priority"), error("priority"), true)} {...register("priority")}>
              {Array.from({ length: 10 }, (_, index) => String(index + 1)).map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </Select>
          </Field>
          <Field id={ID("languageId")} label="Language (optional)" error={error("languageId")}>
            <Select {...fieldA11y(ID("languageId"), error("languageId"))} {...register("languageId")}>
              <OptionList options={lookups.languages} none="No language" />
            </Select>
          </Field>
          <Field id={ID("spamQueueId")} label="Spam queue (optional)" error={error("spamQueueId")} hint="Where mail flagged as spam goes instead">
            <Select {...fieldA11y(ID("spamQueueId"), error("spamQueueId"), true)} {...register("spamQueueId")}>
              <OptionList options={lookups.queues} none="No spam queue" />
            </Select>
          </Field>
        </div>
        <Controller
          control={control}
          name="skillIds"
          render={({ field }) => {
            const selected = Array.isArray(field.value) ? field.value : [];
            return (
              <fieldset aria-describedby={error("skillIds") ? `${ID("skillIds")}-error` : undefined}>
                <legend className="mb-1.5 text-sm font-medium text-slate-800">Skills (optional)</legend>
                {lookups.skills.length === 0 ? (
                  <p className="text-sm text-slate-500">
                    No skills yet. <Link href="/queues?tab=skills" className="text-brand-700 underline">Add skills</Link> to ask for agents who have them.
                  </p>
                ) : (
                  <div className="grid max-h-36 gap-1 overflow-y-auto rounded-md border border-slate-200 p-2 sm:grid-cols-2">
                    {lookups.skills.map((skill) => (
                      <label key={skill.id} className="flex items-center gap-2 rounded px-1 py-0.5 text-sm text-slate-800 hover:bg-slate-50">
                        <input
                          type="checkbox"
                          className="size-4 accent-brand-600"
                          checked={selected.includes(skill.id)}
                          onChange={(event) =>
                            field.onChange(event.target.checked ? [...selected, skill.id] : selected.filter((id) => id !== skill.id))
                          }
                        />
                        {skill.name}
                      </label>
                    ))}
                  </div>
                )}
                {error("skillIds") ? (
                  <p id={`${ID("skillIds")}-error`} role="alert" className="mt-1 text-xs font-medium text-red-700">
                    {error("skillIds")}
                  </p>
                ) : null}
              </fieldset>
            );
          }}
        />
      </fieldset>

      <fieldset className="space-y-4">
        <legend className="text-sm font-semibold text-slate-900">Replies</legend>
        <Field id={ID("fromName")} label="From name" error={error("fromName")} hint="Customers see this as the sender of replies">
          <Input {...fieldA11y(ID("fromName"), error("fromName"), true)} autoComplete="off" {...register("fromName")} />
        </Field>
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
          <Field
            id={ID("fromEmail")}
            label="From email"
            error={error("fromEmail")}
            hint={
              verifiedDomains.length > 0
                ? `An address on ${verifiedDomains.map((candidate) => candidate.name).join(", ")}`
                : "None of your domains is verified yet; replies can only come from a verified domain"
            }
          >
            <Input {...fieldA11y(ID("fromEmail"), error("fromEmail"), true)} type="email" autoComplete="off" spellCheck={false} {...register("fromEmail")} />
          </Field>
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
          <Field
            id={ID("autoBcc")}
            label="Auto-BCC (optional)"
            error={error("autoBcc")}
            hint={replyMode === "route" ? "Not available when replies come from another route" : `Up to ${MAX_AUTO_BCC} addresses, one per line`}
          >
            <Textarea
              {...fieldA11y(ID("autoBcc"), error("autoBcc"), true)}
              rows={3}
              spellCheck={false}
              disabled={replyMode === "route" && !error("autoBcc") && !autoBcc}
              {...register("autoBcc")}
            />
          </Field>
          <div className="space-y-4">
            <Field
              id={ID("historyInclusion")}
              label="History inclusion"
              error={error("historyInclusion")}
              hint={HISTORY_HINTS[(historyInclusion || "Optional") as keyof typeof HISTORY_HINTS]}
            >
              <Select {...fieldA11y(ID("historyInclusion"), error("historyInclusion"), true)} {...register("historyInclusion")}>
                {HISTORY_INCLUSIONS.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </Select>
            </Field>
            <label className="flex items-start gap-2 text-sm text-slate-800" htmlFor={ID("allowMultipleActions")}>
              <input id={ID("allowMultipleActions")} type="checkbox" className="mt-0.5 size-4 accent-brand-600" {...register("allowMultipleActions")} />
              <span>
                Allow multiple actions
                <span className="block text-xs text-slate-500">The conversation stays open after each action; the agent ends it</span>
              </span>
            </label>
          </div>
        </div>
      </fieldset>

      <div className="flex justify-end gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" pending={formState.isSubmitting}>
          {route ? "Save route" : "Create route"}
        </Button>
      </div>
    </form>
  );
}

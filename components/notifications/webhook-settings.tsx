"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import * as Switch from "@radix-ui/react-switch";
import { Copy, Eye, EyeOff, KeyRound, Send, Trash2, Webhook } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import type { z } from "zod";

import {
  deleteWebhookAction,
  revealWebhookSecretAction,
  rotateWebhookSecretAction,
  saveWebhookAction,
  sendTestWebhookAction,
} from "@/app/(console)/notifications/actions";
import { applyActionErrors, formOf } from "@/components/forms/apply-action-errors";
import { ConflictNotice } from "@/components/forms/conflict-notice";
import { TextField } from "@/components/forms/fields";
import { chooseSide, conflictFrom, type PendingConflict } from "@/components/forms/merge-conflict";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/dialog";
import { asActionResult } from "@/lib/actions/result";
import { PERMISSION_LABELS } from "@/lib/auth/permissions";
import { saveWebhookSchema, WEBHOOK_FIELDS } from "@/lib/notifications/schemas";

export interface WebhookView {
  url: string;
  enabled: boolean;
  version: number;
}

type FormValues = z.input<typeof saveWebhookSchema>;
type TestResult = { delivered: true; status: number; durationMs: number } | { delivered: false; status: number | null; error: string; durationMs: number };

/** The two steps the settings ask about before taking them. */
const CONFIRMATIONS = {
  rotate: {
    title: "Rotate the signing secret?",
    description: "Events are signed with the new secret from the moment you confirm. Your receiver rejects them until you give it the new secret.",
    confirmLabel: "Rotate secret",
    danger: false,
  },
  delete: {
    title: "Delete the webhook?",
    description: "Events stop being sent and the delivery log is removed. In-app notifications continue.",
    confirmLabel: "Delete webhook",
    danger: true,
  },
} as const;

export function WebhookSettings({ webhook, canManage }: { webhook: WebhookView | null; canManage: boolean }) {
  const router = useRouter();
  const [version, setVersion] = useState(webhook?.version);
  // What the next save is based on (decision 022): as loaded, or as stored when a save conflicted.
  const [base, setBase] = useState({ url: webhook?.url ?? "", enabled: webhook?.enabled ?? true });
  const [conflict, setConflict] = useState<PendingConflict | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [confirm, setConfirm] = useState<"rotate" | "delete" | null>(null);
  const [revealing, startReveal] = useTransition();
  const [testing, startTest] = useTransition();
  const [rotating, startRotate] = useTransition();
  const [deleting, startDelete] = useTransition();
  const hint = canManage ? undefined : MANAGE_REQUIRED_HINT;

  const form = useForm<FormValues>({
    resolver: zodResolver(saveWebhookSchema),
    defaultValues: { url: webhook?.url ?? "", enabled: webhook?.enabled ?? true },
  });
  const { register, handleSubmit, formState, control, setError } = form;
  const urlError = formState.errors.url?.message;

  const onSave = handleSubmit(async (values, event) => {
    const parsed = saveWebhookSchema.parse(values);
    const result = await asActionResult(saveWebhookAction({ ...parsed, version: webhook ? version : undefined, base: webhook ? base : undefined }));
    if (result.ok) {
      setVersion(result.data.webhook.version);
      setBase({ url: result.data.webhook.url, enabled: result.data.webhook.enabled });
      setConflict(null);
      toast.success(result.data.created ? "Webhook created. Reveal its signing secret to configure your receiver." : "Webhook saved");
      form.reset({ url: result.data.webhook.url, enabled: result.data.webhook.enabled });
      router.refresh();
      return;
    }
    if (result.code === "stale" && result.current) {
      const { webhook: current, conflicts } = result.current;
      const theirs = { url: current.url, enabled: current.enabled };
      const { next, conflict: pending } = conflictFrom({
        base,
        theirs,
        mine: { url: parsed.url, enabled: parsed.enabled },
        fields: WEBHOOK_FIELDS,
        labels: { url: "Receiver URL", enabled: "Send events" },
        changedBy: null,
        reported: conflicts,
      });
      setVersion(current.version);
      setBase(theirs);
      form.reset(next, { keepDefaultValues: true });
      setConflict(pending);
      return;
    }
    const message = applyActionErrors(result, setError, ["url", "enabled"], formOf(event));
    if (message) setError("root", { message });
  });

  const reveal = () =>
    startReveal(async () => {
      const result = await asActionResult(revealWebhookSecretAction({}));
      if (result.ok) setSecret(result.data.secret);
      else toast.error(result.error);
    });

  const copySecret = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      toast.success("Signing secret copied");
    } catch {
      toast.error("Copying was blocked by the browser; select the secret and copy it by hand.");
    }
  };

  const sendTest = () =>
    startTest(async () => {
      setTestResult(null);
      const result = await asActionResult(sendTestWebhookAction({}));
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      setTestResult(result.data);
      router.refresh();
    });

  const rotate = () =>
    startRotate(async () => {
      if (version === undefined) return;
      const result = await asActionResult(rotateWebhookSecretAction({ version }));
      setConfirm(null);
      if (!result.ok) {
        toast.error(result.error);
        router.refresh();
        return;
      }
      setVersion(result.data.webhook.version);
      setSecret(result.data.secret);
      toast.success("New signing secret created. Update your receiver now: events are signed with it from this moment.");
    });

  const remove = () =>
    startDelete(async () => {
      const result = await asActionResult(deleteWebhookAction({}));
      setConfirm(null);
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success("Webhook deleted");
      setSecret(null);
      setTestResult(null);
      setVersion(undefined);
      form.reset({ url: "", enabled: true });
      router.refresh();
    });

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            <Webhook className="size-4 text-brand-600" aria-hidden /> Webhook
            {webhook ? <Badge tone={webhook.enabled ? "success" : "neutral"}>{webhook.enabled ? "Enabled" : "Disabled"}</Badge> : null}
          </span>
        }
        description="We POST a signed JSON event to this URL whenever one of your domains is verified, loses a record, degrades, gives up or recovers. Failed deliveries are retried with growing delays."
      />
      <CardBody className="space-y-6">
        {!webhook && !canManage ? (
          <p className="text-sm text-slate-600">
            No webhook is set up. An administrator with the <strong>{PERMISSION_LABELS["routing:email:manage"]}</strong> permission can add one.
          </p>
        ) : (
          <form noValidate onSubmit={onSave} className="space-y-4">
            <Alert tone="danger">{formState.errors.root?.message}</Alert>
            {conflict ? (
              <ConflictNotice
                noun="webhook"
                changedBy={conflict.changedBy}
                rows={conflict.rows}
                choices={conflict.choices}
                onChoose={(name, side) => {
                  const chosen = chooseSide(conflict, name, side);
                  if (name === "url") form.setValue("url", String(chosen.value ?? ""), { shouldDirty: true });
                  else form.setValue("enabled", Boolean(chosen.value), { shouldDirty: true });
                  setConflict(chosen.conflict);
                }}
              />
            ) : null}
            <TextField
              id="webhook-url"
              label="Receiver URL"
              hint={canManage ? "An https:// address reachable on the internet; private, loopback and link-local addresses are refused." : undefined}
              error={urlError}
              type="url"
              inputMode="url"
              spellCheck={false}
              placeholder="https://hooks.example.com/email-routing"
              readOnly={!canManage}
              className={canManage ? undefined : "[&_input]:bg-slate-50 [&_input]:text-slate-700"}
              title={hint}
              {...register("url")}
            />
            <Controller
              control={control}
              name="enabled"
              render={({ field }) => (
                <div className="flex items-center gap-3">
                  <Switch.Root
                    id="webhook-enabled"
                    checked={field.value ?? true}
                    onCheckedChange={field.onChange}
                    disabled={!canManage}
                    title={hint}
                    className={cn(
                      "relative h-5 w-9 shrink-0 rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-60",
                      field.value ? "bg-brand-600" : "bg-slate-300",
                    )}
                  >
                    <Switch.Thumb className="block size-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-[18px]" />
                  </Switch.Root>
                  <label htmlFor="webhook-enabled" className="text-sm text-slate-800">
                    Send events to this URL
                  </label>
                </div>
              )}
            />
            {canManage ? (
              <div className="flex justify-end">
                <Button type="submit" pending={formState.isSubmitting}>
                  {webhook ? "Save" : "Create webhook"}
                </Button>
              </div>
            ) : null}
          </form>
        )}

        {webhook ? (
          <>
            <section aria-labelledby="webhook-secret-heading" className="space-y-2 border-t border-slate-200 pt-5">
              <h3 id="webhook-secret-heading" className="flex items-center gap-2 text-sm font-semibold text-slate-900">
                <KeyRound className="size-4 text-slate-500" aria-hidden /> Signing secret
              </h3>
              {canManage ? (
                <>
                  <div className="flex flex-wrap items-center gap-2">
                    <code className="min-w-0 flex-1 truncate rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-800" data-testid="webhook-secret">
                      {secret ?? "whsec_••••••••••••••••••••••••"}
                    </code>
                    {secret ? (
                      <>
                        <Button variant="secondary" size="sm" onClick={() => void copySecret()}>
                          <Copy aria-hidden /> Copy
                        </Button>
                        <Button variant="ghost" size="sm" onClick={() => setSecret(null)}>
                          <EyeOff aria-hidden /> Hide
                        </Button>
                      </>
                    ) : (
                      <Button variant="secondary" size="sm" onClick={reveal} pending={revealing}>
                        <Eye aria-hidden /> Reveal
                      </Button>
                    )}
                    <Button variant="ghost" size="sm" onClick={() => setConfirm("rotate")}>
                      Rotate…
                    </Button>
                  </div>
                  <p className="text-xs text-slate-500">Your receiver uses it to check that events come from us. Keep it out of source code and logs.</p>
                </>
              ) : (
                <p className="text-sm text-slate-600">
                  Shown only to administrators with the <strong>{PERMISSION_LABELS["routing:email:manage"]}</strong> permission.
                </p>
              )}
            </section>

            <section aria-labelledby="webhook-verify-heading" className="space-y-2 border-t border-slate-200 pt-5">
              <h3 id="webhook-verify-heading" className="text-sm font-semibold text-slate-900">
                Checking a request
              </h3>
              <p className="text-sm text-slate-600">
                Each request carries <code className="font-mono text-xs">X-Email-Routing-Signature: t=&lt;unix time&gt;,v1=&lt;hex&gt;</code>. Compute
                HMAC-SHA256 of <code className="font-mono text-xs">&lt;t&gt;.&lt;raw body&gt;</code> with the secret, compare it with{" "}
                <code className="font-mono text-xs">v1</code> in constant time, and reject requests whose <code className="font-mono text-xs">t</code> is more
                than five minutes away from now. Retries repeat the same <code className="font-mono text-xs">X-Email-Routing-Delivery</code> id: ignore
                ids you have already processed.
              </p>
            </section>

            {canManage ? (
              <section className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-5">
                <div className="flex flex-wrap items-center gap-2">
                  <Button variant="secondary" onClick={sendTest} pending={testing}>
                    <Send aria-hidden /> Send test event
                  </Button>
                  {testResult ? (
                    <span role="status" className={cn("text-sm", testResult.delivered ? "text-emerald-700" : "text-red-700")} data-testid="webhook-test-result">
                      {testResult.delivered
                        ? `Delivered: HTTP ${testResult.status} in ${testResult.durationMs} ms.`
                        : `Not delivered: ${testResult.error}`}
                    </span>
                  ) : null}
                </div>
                <Button variant="ghost" onClick={() => setConfirm("delete")}>
                  <Trash2 aria-hidden /> Delete webhook
                </Button>
              </section>
            ) : null}
          </>
        ) : null}
      </CardBody>

      {confirm ? (
        <ConfirmDialog
          open
          {...CONFIRMATIONS[confirm]}
          pending={confirm === "rotate" ? rotating : deleting}
          onConfirm={confirm === "rotate" ? rotate : remove}
          onCancel={() => setConfirm(null)}
        />
      ) : null}
    </Card>
  );
}

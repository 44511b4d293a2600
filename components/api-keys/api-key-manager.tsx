"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { KeyRound, Plus, ShieldOff } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";

import { createApiKeyAction, revokeApiKeyAction } from "@/app/(console)/settings/api-keys/actions";
import { CopyableCode } from "@/components/domains/copy-button";
import { applyActionErrors, formOf } from "@/components/forms/apply-action-errors";
import { discardChanges, useDiscardGuard, useReportEdits } from "@/components/forms/discard-guard";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog, DialogContent, DialogActions } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { LocalTime } from "@/components/ui/local-time";
import { asActionResult } from "@/lib/actions/result";
import { createApiKeySchema, type CreateApiKeyInput, type CreateApiKeyValues } from "@/lib/api-keys/schemas";
import { API_KEY_ABILITIES, API_KEY_ABILITY_LABELS, type ApiKeyStatus, type ApiKeyView, type CreatedApiKey } from "@/lib/api-keys/types";

const STATUS_TONES: Record<ApiKeyStatus, "success" | "neutral" | "danger"> = { active: "success", expired: "neutral", revoked: "danger" };
const STATUS_LABELS: Record<ApiKeyStatus, string> = { active: "Active", expired: "Expired", revoked: "Revoked" };

export function ApiKeyManager({ keys, canManage }: { keys: ApiKeyView[]; canManage: boolean }) {
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);
  const [pendingRevoke, startRevoke] = useTransition();

  // The resolver checks the form; the action gets the typed text (it parses the same schema again).
  const form = useForm<CreateApiKeyInput, unknown, CreateApiKeyValues>({
    resolver: zodResolver(createApiKeySchema),
    defaultValues: { name: "", ability: "view", expiresOn: "" },
  });
  const { register, handleSubmit, formState, setError, reset, getValues } = form;
  // Closing by Escape or a click outside asks first: with a name typed, and above all while the
  // key, shown only this once, is on screen.
  const formGuard = useDiscardGuard(() => setCreating(false), discardChanges("key"));
  const keyGuard = useDiscardGuard(() => setCreating(false), {
    title: "Have you copied the key?",
    description: "Once this dialog is closed the key cannot be shown again; if it is lost, revoke it and create another.",
    keepLabel: "Back to the key",
    discardLabel: "Close, I have copied it",
  });
  useReportEdits(formGuard.report, creating && !created && formState.isDirty, formState.isSubmitting);
  useReportEdits(keyGuard.report, creating && created !== null, false);

  const openCreate = () => {
    reset({ name: "", ability: "view", expiresOn: "" });
    setCreated(null);
    setCreating(true);
  };

  const onCreate = handleSubmit(async (_values, event) => {
    const result = await asActionResult(createApiKeyAction(getValues()));
    if (result.ok) {
      setCreated(result.data);
      router.refresh();
      return;
    }
    const message = applyActionErrors(result, setError, ["name", "ability", "expiresOn"], formOf(event));
    if (message) setError("root", { message });
  });

  const revoke = () =>
    startRevoke(async () => {
      if (!revoking) return;
      const result = await asActionResult(revokeApiKeyAction({ id: revoking.id }));
      setRevoking(null);
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success(`${result.data.name} revoked: requests with it are refused from now on.`);
      router.refresh();
    });

  const createButton = (
    <Button onClick={openCreate} disabled={!canManage} title={canManage ? undefined : MANAGE_REQUIRED_HINT}>
      <Plus aria-hidden /> Create API key
    </Button>
  );

  return (
    <div className="space-y-4">
      {keys.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API keys yet" action={createButton}>
          Create a key for each script or tool that manages your routing, so each can be revoked on its own.
        </EmptyState>
      ) : (
        <>
          <div className="flex justify-end">{createButton}</div>
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label="API keys">
            {keys.map((key) => (
              <li key={key.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between" data-testid="api-key-row">
                <div className="min-w-0 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-slate-900 break-all">{key.name}</span>
                    <Badge tone={STATUS_TONES[key.status]}>{STATUS_LABELS[key.status]}</Badge>
                    <Badge tone={key.ability === "manage" ? "warning" : "info"}>{key.ability === "manage" ? "Manage" : "View"}</Badge>
                  </div>
                  <p className="font-mono text-xs text-slate-600">{key.prefix}_…</p>
                  <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-600">
                    <dt>Created</dt>
                    <dd className="min-w-0 break-words">
                      <LocalTime value={key.createdAt} /> by {key.createdByEmail}
                    </dd>
                    <dt>Expires</dt>
                    <dd>{key.expiresAt ? <LocalTime value={key.expiresAt} /> : "Never"}</dd>
                    <dt>Last used</dt>
                    <dd>{key.lastUsedAt ? <LocalTime value={key.lastUsedAt} /> : "Never"}</dd>
                    {key.revokedAt ? (
                      <>
                        <dt>Revoked</dt>
                        <dd className="min-w-0 break-words">
                          <LocalTime value={key.revokedAt} />
                          {key.revokedByEmail ? ` by ${key.revokedByEmail}` : null}
                        </dd>
                      </>
                    ) : null}
                  </dl>
                </div>
                {key.status === "active" ? (
                  <Button
                    variant="secondary"
                    size="sm"
                    className="self-start"
                    disabled={!canManage}
                    title={canManage ? undefined : MANAGE_REQUIRED_HINT}
                    onClick={() => setRevoking(key)}
                    aria-label={`Revoke ${key.name}`}
                  >
                    <ShieldOff aria-hidden /> Revoke
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}

      <Dialog open={creating} onOpenChange={(open) => (open ? null : (created ? keyGuard : formGuard).requestClose())}>
        {created ? (
          <DialogContent title="Copy your new API key" description="This is the only time the whole key is shown. Store it in your secret manager now.">
            <div className="space-y-4">
              <Alert tone="warning">Once you close this dialog the key cannot be shown again; if it is lost, revoke it and create another.</Alert>
              <div className="rounded-md border border-slate-200 bg-slate-50 p-3">
                <p className="mb-1 text-xs font-medium text-slate-600">{created.key.name}</p>
                <CopyableCode value={created.secret} label="API key" testId="api-key-secret" />
              </div>
              <p className="text-xs text-slate-600">
                Send it as <code>Authorization: Bearer &lt;key&gt;</code> to <code>/api/v1</code>.
              </p>
              <div className="flex justify-end">
                <Button onClick={keyGuard.close}>Done</Button>
              </div>
            </div>
          </DialogContent>
        ) : (
          <DialogContent title="Create API key" description="Name it after what will use it. It acts within what you may do yourself.">
            <form noValidate onSubmit={onCreate} className="space-y-4">
              <Alert tone="danger">{formState.errors.root?.message}</Alert>
              <Field id="api-key-name" label="Name" error={formState.errors.name?.message}>
                <Input {...fieldA11y("api-key-name", formState.errors.name?.message)} autoComplete="off" placeholder="terraform-prod" {...register("name")} />
              </Field>
              <Field id="api-key-ability" label="May" error={formState.errors.ability?.message}>
                <Select {...fieldA11y("api-key-ability", formState.errors.ability?.message)} {...register("ability")}>
                  {API_KEY_ABILITIES.map((ability) => (
                    <option key={ability} value={ability}>
                      {API_KEY_ABILITY_LABELS[ability]}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field id="api-key-expires" label="Expires on (optional)" hint="Leave empty for a key that works until revoked." error={formState.errors.expiresOn?.message}>
                <Input {...fieldA11y("api-key-expires", formState.errors.expiresOn?.message, true)} type="date" {...register("expiresOn")} />
              </Field>
              <DialogActions onCancel={formGuard.requestClose}>
                <Button type="submit" pending={formState.isSubmitting}>
                  Create key
                </Button>
              </DialogActions>
            </form>
          </DialogContent>
        )}
      </Dialog>

      {formGuard.confirmation}
      {keyGuard.confirmation}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ""}?`}
        description="Requests with this key are refused from the next one on. This cannot be undone."
        confirmLabel="Revoke key"
        danger
        pending={pendingRevoke}
        onConfirm={revoke}
        onCancel={() => setRevoking(null)}
      />
    </div>
  );
}

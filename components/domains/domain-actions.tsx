"use client";

import { RotateCcw, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";

import { deleteDomainAction, restartVerificationAction } from "@/app/(console)/domains/actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogActions } from "@/components/ui/dialog";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { asActionResult } from "@/lib/actions/result";
import { checkHostname } from "@/lib/domains/hostname";

export function DeleteDomainButton({
  domain,
  routeCount,
  canManage,
}: {
  domain: { id: string; displayName: string };
  routeCount: number;
  canManage: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [confirmation, setConfirmation] = useState("");
  const [deleteRoutes, setDeleteRoutes] = useState(false);
  const [errors, setErrors] = useState<{ confirmation?: string; deleteRoutes?: string; form?: string }>({});
  const [pending, start] = useTransition();
  // Compared as the server does: normalised (case, fullwidth forms), so what it accepts enables the button.
  const typed = checkHostname(confirmation);
  const expected = checkHostname(domain.displayName);
  const matches = typed.ok && expected.ok && typed.ascii === expected.ascii;

  return (
    <>
      <Button variant="secondary" onClick={() => setOpen(true)} disabled={!canManage} title={canManage ? undefined : MANAGE_REQUIRED_HINT}>
        <Trash2 aria-hidden /> Delete domain
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title={`Delete ${domain.displayName}?`}
          description="Mail to this domain stops being routed. Its DNS records at your DNS host are not touched; remove them there if you no longer need them."
        >
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              start(async () => {
                const result = await asActionResult(deleteDomainAction({ domainId: domain.id, confirmation, deleteRoutes }));
                if (result.ok) {
                  toast.success(`${result.data.name} deleted${result.data.routesDeleted ? ` with ${result.data.routesDeleted} routes` : ""}`);
                  router.push("/domains");
                  router.refresh();
                  return;
                }
                setErrors({
                  confirmation: result.fieldErrors?.confirmation?.[0],
                  deleteRoutes: result.fieldErrors?.deleteRoutes?.[0],
                  form: result.fieldErrors ? undefined : result.error,
                });
              });
            }}
          >
            <Alert tone="danger">{errors.form}</Alert>
            {routeCount > 0 ? (
              <div className="space-y-1">
                <label className="flex items-start gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    className="mt-0.5 size-4"
                    checked={deleteRoutes}
                    onChange={(event) => setDeleteRoutes(event.target.checked)}
                    aria-describedby={errors.deleteRoutes ? "delete-routes-error" : undefined}
                  />
                  <span>
                    Also delete its {routeCount} {routeCount === 1 ? "route" : "routes"}. Without this, the domain cannot be deleted.
                  </span>
                </label>
                {errors.deleteRoutes ? (
                  <p id="delete-routes-error" role="alert" className="text-xs font-medium text-red-700">
                    {errors.deleteRoutes}
                  </p>
                ) : null}
              </div>
            ) : null}
            <Field id="confirm-domain" label={<>Type <strong>{domain.displayName}</strong> to confirm</>} error={errors.confirmation}>
              <Input {...fieldA11y("confirm-domain", errors.confirmation)} value={confirmation} onChange={(event) => setConfirmation(event.target.value)} autoComplete="off" />
            </Field>
            <DialogActions onCancel={() => setOpen(false)}>
              <Button type="submit" variant="danger" pending={pending} disabled={!matches || (routeCount > 0 && !deleteRoutes)}>
                Delete domain
              </Button>
            </DialogActions>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}

export function RestartVerificationButton({ domainId, canManage }: { domainId: string; canManage: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <Button
      onClick={() =>
        start(async () => {
          const result = await asActionResult(restartVerificationAction({ domainId }));
          if (result.ok) toast.success("Verification restarted: we will keep checking for 72 hours");
          else toast.error(result.error);
          router.refresh();
        })
      }
      pending={pending}
      disabled={!canManage}
      title={canManage ? undefined : MANAGE_REQUIRED_HINT}
    >
      <RotateCcw aria-hidden /> Restart verification
    </Button>
  );
}

"use client";

import { discardChanges, useDiscardGuard } from "@/components/forms/discard-guard";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Link } from "@/components/ui/link";
import { messagesHref } from "@/lib/messages/schemas";
import type { RouteLookups, RouteRow } from "@/lib/routes/types";

import { RouteForm } from "./route-form";

export type RouteEditing = { mode: "create" } | { mode: "edit"; route: RouteRow };

/**
 * The route form in a dialog. Closing it (Escape, the close button, a click outside, Cancel) with
 * unsaved changes asks first, so a stray key press loses nothing; while a save is on its way it
 * stays open (see useDiscardGuard). Links in it open in a new tab, so following one keeps the draft.
 */
export function RouteDialog({
  editing,
  lookups,
  defaultDomainId,
  onClose,
  onSaved,
}: {
  editing: RouteEditing | null;
  lookups: RouteLookups;
  defaultDomainId?: string;
  onClose: () => void;
  onSaved: (saved: { id: string; address: string }, created: boolean) => void;
}) {
  const guard = useDiscardGuard(onClose, discardChanges("route"));

  return (
    <>
      <Dialog open={editing !== null} onOpenChange={(open) => !open && guard.requestClose()}>
        {editing ? (
          <DialogContent
            size="lg"
            title={editing.mode === "edit" ? `Edit ${editing.route.address}` : "New route"}
            description={
              editing.mode === "edit" ? (
                <Link
                  href={messagesHref({ route: editing.route.id })}
                  target="_blank"
                  rel="noopener"
                  className="text-brand-700 underline-offset-4 hover:underline"
                >
                  Recent messages to {editing.route.address}
                  <span className="sr-only"> (opens in a new tab)</span>
                </Link>
              ) : (
                "Deliver mail sent to an address on one of your domains into a queue."
              )
            }
          >
            <RouteForm
              key={editing.mode === "edit" ? editing.route.id : "new"}
              route={editing.mode === "edit" ? editing.route : undefined}
              defaultDomainId={defaultDomainId}
              lookups={lookups}
              onCancel={guard.requestClose}
              onEdits={guard.report}
              onSaved={(saved, created) => {
                guard.report({ dirty: false, saving: false });
                onSaved(saved, created);
              }}
            />
          </DialogContent>
        ) : null}
      </Dialog>
      {guard.confirmation}
    </>
  );
}

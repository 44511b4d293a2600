"use client";

import { useCallback, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Link } from "@/components/ui/link";
import { messagesHref } from "@/lib/messages/schemas";
import type { RouteLookups, RouteRow } from "@/lib/routes/types";

import { RouteForm } from "./route-form";

export type RouteEditing = { mode: "create" } | { mode: "edit"; route: RouteRow };

/**
 * The route form in a dialog. Closing it (Escape, the close button, a click outside, Cancel) with
 * unsaved changes asks first, so a stray key press loses nothing.
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
  const dirty = useRef(false);
  const [asking, setAsking] = useState(false);
  const onDirtyChange = useCallback((value: boolean) => {
    dirty.current = value;
  }, []);

  const close = () => {
    dirty.current = false;
    setAsking(false);
    onClose();
  };
  const requestClose = () => {
    if (dirty.current) setAsking(true);
    else close();
  };

  return (
    <>
      <Dialog open={editing !== null} onOpenChange={(open) => !open && requestClose()}>
        {editing ? (
          <DialogContent
            size="lg"
            title={editing.mode === "edit" ? `Edit ${editing.route.address}` : "New route"}
            description={
              editing.mode === "edit" ? (
                <Link href={messagesHref({ route: editing.route.id })} className="text-brand-700 underline-offset-4 hover:underline">
                  Recent messages to {editing.route.address}
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
              onCancel={requestClose}
              onDirtyChange={onDirtyChange}
              onSaved={(saved, created) => {
                dirty.current = false;
                onSaved(saved, created);
              }}
            />
          </DialogContent>
        ) : null}
      </Dialog>
      <Dialog open={asking} onOpenChange={(open) => !open && setAsking(false)}>
        {asking ? (
          <DialogContent title="Discard your changes?" description="What you changed in this route has not been saved.">
            <div className="flex flex-wrap justify-end gap-2">
              <Button variant="secondary" autoFocus onClick={() => setAsking(false)}>
                Keep editing
              </Button>
              <Button variant="danger" onClick={close}>
                Discard changes
              </Button>
            </div>
          </DialogContent>
        ) : null}
      </Dialog>
    </>
  );
}

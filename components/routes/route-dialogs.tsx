"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";

import { deleteRouteAction } from "@/app/(console)/routes/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogActions } from "@/components/ui/dialog";
import { asActionResult } from "@/lib/actions/result";
import type { RouteRow } from "@/lib/routes/types";


function DeleteRouteContent({ route, onDone }: { route: RouteRow; onDone: (deleted: boolean) => void }) {
  const [pending, startDelete] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <DialogContent title={`Delete ${route.address}?`} description="Mail to this address will no longer be delivered to a queue. The audit log keeps a record of the route.">
      <Alert tone="danger" className="mb-4">
        {error}
      </Alert>
      <DialogActions onCancel={() => onDone(false)}>
        <Button
          variant="danger"
          pending={pending}
          onClick={() =>
            startDelete(async () => {
              const result = await asActionResult(deleteRouteAction({ id: route.id }));
              if (result.ok) {
                toast.success(`Route ${route.address} deleted`);
                onDone(true);
              } else {
                setError(result.error);
              }
            })
          }
        >
          Delete route
        </Button>
      </DialogActions>
    </DialogContent>
  );
}

/** Asks before deleting a route; `onDone(true)` once it is gone. */
export function DeleteRouteDialog({ route, onDone }: { route: RouteRow | null; onDone: (deleted: boolean) => void }) {
  return (
    <Dialog open={route !== null} onOpenChange={(open) => !open && onDone(false)}>
      {route ? <DeleteRouteContent key={route.id} route={route} onDone={onDone} /> : null}
    </Dialog>
  );
}

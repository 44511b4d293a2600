"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/**
 * What an error boundary shows: no internals, that nothing saved is lost, the reference support
 * can find in the server log (Next's digest), and a retry.
 */
export function FailureNotice({ title, digest, reset }: { title: string; digest: string | undefined; reset: () => void }) {
  return (
    <>
      <Alert tone="danger" title={title}>
        Something went wrong on our side; nothing you saved is lost. Try again, and if it keeps happening quote reference{" "}
        <code>{digest ?? "unknown"}</code>.
      </Alert>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </>
  );
}

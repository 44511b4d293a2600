"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** A page of the console failed to render: keep the shell, explain without internals, offer a retry. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="max-w-xl py-10">
      <Alert tone="danger" title="This page could not be shown">
        Something went wrong on our side; nothing you saved is lost. Try again, and if it keeps happening quote reference{" "}
        <code>{error.digest ?? "unknown"}</code>.
      </Alert>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}

"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** Unexpected failures: no internals, a reference for support, and a way to retry. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <Alert tone="danger" title="Something went wrong on our side">
        This page could not be shown. Nothing you saved is lost. Try again; if it keeps happening, quote reference{" "}
        <code>{error.digest ?? "unknown"}</code>.
      </Alert>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </main>
  );
}

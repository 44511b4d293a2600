"use client";

import { FailureNotice } from "@/components/ui/failure-notice";

/** A page failed to render (inside the console, its shell stays around this). */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-xl px-4 py-10">
      <FailureNotice title="This page could not be shown" digest={error.digest} reset={reset} />
    </div>
  );
}

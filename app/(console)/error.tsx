"use client";

import { FailureNotice } from "@/components/ui/failure-notice";

/** A page of the console failed to render: keep the shell around the notice. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="max-w-xl py-10">
      <FailureNotice title="This page could not be shown" digest={error.digest} reset={reset} />
    </div>
  );
}

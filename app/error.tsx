"use client";

import { FailureNotice } from "@/components/ui/failure-notice";

/** A page outside the console (sign-in) failed to render. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <FailureNotice title="This page could not be shown" digest={error.digest} reset={reset} />
    </main>
  );
}

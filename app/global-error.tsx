"use client";

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: "4rem 1rem", maxWidth: 560, margin: "0 auto" }}>
        <h1>Something went wrong on our side</h1>
        <p>The console could not be shown. Try again; if it keeps happening, quote reference {error.digest ?? "unknown"}.</p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </body>
    </html>
  );
}

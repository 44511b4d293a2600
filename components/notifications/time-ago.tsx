"use client";

import { useEffect, useState } from "react";

function describe(iso: string, now: number): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  const ahead = seconds < 0;
  const span = Math.abs(seconds);
  const text =
    span < 45 ? "a few seconds" : span < 3_600 ? `${Math.max(1, Math.round(span / 60))} min` : span < 86_400 ? `${Math.round(span / 3_600)} h` : `${Math.round(span / 86_400)} days`;
  if (span < 45 && !ahead) return "just now";
  return ahead ? `in ${text}` : `${text} ago`;
}

/** "5 min ago" / "in 2 h", kept current, with the exact local time on hover. */
export function TimeAgo({ iso, fallback = "—" }: { iso: string | null; fallback?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return <span>{fallback}</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()} suppressHydrationWarning>
      {describe(iso, now)}
    </time>
  );
}

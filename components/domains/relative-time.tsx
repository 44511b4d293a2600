"use client";

import { useEffect, useState } from "react";

function describe(iso: string, now: number, expect: "past" | "future"): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (expect === "future") {
    const ahead = -seconds;
    if (ahead < 60) return ahead < -60 ? "overdue, any moment now" : "within a minute";
    if (ahead < 3600) return `in ${Math.round(ahead / 60)} min`;
    return `in ${Math.round(ahead / 3600)} h`;
  }
  // The page's clock ticks every 15 s, so something that just happened can look slightly ahead.
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} seconds ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

/** "2 min ago", kept current, with the exact time on hover and for assistive technology. */
export function RelativeTime({ iso, fallback = "never", expect = "past" }: { iso: string | null; fallback?: string; expect?: "past" | "future" }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return <span>{fallback}</span>;
  const exact = new Date(iso).toLocaleString();
  return (
    <time dateTime={iso} title={exact} suppressHydrationWarning>
      {describe(iso, now, expect)}
    </time>
  );
}

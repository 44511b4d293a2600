"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-reads the share page every 30 s, so it shows each check as the background checker runs it. */
export function ShareRefresh({ everyMs = 30_000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}

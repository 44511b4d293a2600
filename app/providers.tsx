"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { z } from "zod";

import { Toaster } from "@/components/ui/toaster";

// zod probes whether it may compile validators with `new Function`; the Content-Security-Policy
// (no 'unsafe-eval') refuses, and the refusal is reported as a violation on every page with a
// form. In the browser it runs without compiling instead.
if (typeof window !== "undefined") z.config({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 10_000, refetchOnWindowFocus: false } } }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      {children}
      <Toaster />
    </QueryClientProvider>
  );
}

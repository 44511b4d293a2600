"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { cn } from "@/components/ui/cn";

/** Copies a value to the clipboard; the label says what is copied, for screen readers too. */
/** `compact`: the icon only (tables); the button's name still says what it copies. */
export function CopyButton({ value, label, className, text = "Copy", compact = false }: { value: string; label: string; className?: string; text?: string; compact?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={cn("inline-flex shrink-0 items-center gap-1 rounded px-1.5 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900", className)}
      aria-label={`Copy ${label}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          toast.error("Your browser did not allow copying. Select the text and copy it instead.");
        }
      }}
    >
      {copied ? <Check className="size-3.5 text-emerald-600" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
      <span aria-live="polite" className={compact ? "sr-only" : undefined}>
        {copied ? "Copied" : text}
      </span>
    </button>
  );
}

/** A value shown once (a new key, a new link) with its copy button beside it, wrapping anywhere. */
export function CopyableCode({ value, label, testId, className }: { value: string; label: string; testId?: string; className?: string }) {
  return (
    <div className={cn("flex min-w-0 items-start gap-2", className)}>
      <code className="min-w-0 flex-1 font-mono text-sm text-slate-900 [overflow-wrap:anywhere]" data-testid={testId}>
        {value}
      </code>
      <CopyButton value={value} label={label} />
    </div>
  );
}

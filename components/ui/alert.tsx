import { AlertTriangle, CheckCircle2, Info, XCircle } from "lucide-react";
import type { ReactNode } from "react";

import { cn } from "./cn";

const tones = {
  info: { classes: "border-brand-100 bg-brand-50 text-brand-700", Icon: Info },
  success: { classes: "border-emerald-200 bg-emerald-50 text-emerald-900", Icon: CheckCircle2 },
  warning: { classes: "border-amber-200 bg-amber-50 text-amber-900", Icon: AlertTriangle },
  danger: { classes: "border-red-200 bg-red-50 text-red-900", Icon: XCircle },
} as const;

/** Nothing at all when it has neither title nor text, so an error slot needs no condition around it. */
export function Alert({ tone = "info", title, children, className }: { tone?: keyof typeof tones; title?: ReactNode; children?: ReactNode; className?: string }) {
  if (!title && !children) return null;
  const { classes, Icon } = tones[tone];
  return (
    <div role={tone === "danger" ? "alert" : "status"} className={cn("flex gap-3 rounded-md border px-4 py-3 text-sm", classes, className)}>
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="space-y-1">
        {title ? <p className="font-medium">{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
    </div>
  );
}

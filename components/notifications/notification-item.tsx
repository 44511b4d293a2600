import { AlertTriangle, Bell, CheckCircle2, RotateCcw, XCircle, type LucideIcon } from "lucide-react";

import { cn } from "@/components/ui/cn";
import { Link } from "@/components/ui/link";
import { RelativeTime } from "@/components/ui/local-time";
import type { NotificationItem as Item } from "@/lib/notifications/types";

const KIND_STYLE: Record<string, { icon: LucideIcon; tone: string; label: string }> = {
  "domain.verified": { icon: CheckCircle2, tone: "text-emerald-600", label: "Verified" },
  "domain.recovered": { icon: RotateCcw, tone: "text-emerald-600", label: "Recovered" },
  "domain.grace": { icon: AlertTriangle, tone: "text-amber-600", label: "Record changed" },
  "domain.degraded": { icon: XCircle, tone: "text-red-600", label: "Degraded" },
  "domain.failed": { icon: XCircle, tone: "text-red-600", label: "Verification gave up" },
};

export function NotificationEntry({ item, compact = false, onNavigate }: { item: Item; compact?: boolean; onNavigate?: () => void }) {
  const style = KIND_STYLE[item.kind] ?? { icon: Bell, tone: "text-slate-500", label: "Notice" };
  const Icon = style.icon;
  const title = item.domainId ? (
    <Link href={`/domains/${item.domainId}`} onClick={onNavigate} className="hover:underline">
      {item.title}
    </Link>
  ) : (
    item.title
  );
  return (
    <div className={cn("flex gap-3", compact ? "px-4 py-3" : "px-5 py-4", item.unread && "bg-brand-50/60")} data-testid="notification">
      <Icon className={cn("mt-0.5 size-4 shrink-0", style.tone)} aria-label={style.label} />
      <div className="min-w-0 flex-1">
        <p className={cn("text-sm text-slate-900", item.unread ? "font-semibold" : "font-medium")}>
          {title}
          {item.unread ? <span className="sr-only"> (unread)</span> : null}
        </p>
        <p className={cn("mt-0.5 text-sm text-slate-600", compact && "line-clamp-3")}>{item.body}</p>
        <p className="mt-1 text-xs text-slate-600">
          <RelativeTime iso={item.createdAt} />
        </p>
      </div>
      {item.unread ? <span aria-hidden className="mt-1.5 size-2 shrink-0 rounded-full bg-brand-600" /> : null}
    </div>
  );
}

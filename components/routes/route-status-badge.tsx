import { CheckCircle2, Clock, XCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { RouteStatus } from "@/lib/routes/schemas";
import { ROUTE_STATUS_LABELS } from "@/lib/routes/status";

const LOOK = {
  active: { tone: "success", Icon: CheckCircle2 },
  pending: { tone: "warning", Icon: Clock },
  error: { tone: "danger", Icon: XCircle },
} as const;

/** Icon and word, not colour alone. */
export function RouteStatusBadge({ status, reason }: { status: RouteStatus; reason?: string }) {
  const { tone, Icon } = LOOK[status];
  return (
    <Badge tone={tone} title={reason}>
      <Icon aria-hidden />
      {ROUTE_STATUS_LABELS[status]}
    </Badge>
  );
}

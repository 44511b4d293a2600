import { Badge } from "@/components/ui/badge";
import { RowIcon } from "@/components/ui/row-icons";
import type { RouteStatus } from "@/lib/routes/schemas";
import { ROUTE_STATUS_LABELS } from "@/lib/routes/status";

const TONE = { active: "success", pending: "warning", error: "danger" } as const;

/** Icon and word, not colour alone. */
export function RouteStatusBadge({ status, reason }: { status: RouteStatus; reason?: string }) {
  return (
    <Badge tone={TONE[status]} title={reason}>
      <RowIcon name={status} />
      {ROUTE_STATUS_LABELS[status]}
    </Badge>
  );
}

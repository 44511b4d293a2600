import { AlertTriangle, CheckCircle2, CircleDashed, Clock, HelpCircle, XCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { DomainView, GroupVerdict } from "@/lib/domains/types";

/** Status is always said in words with an icon, never by colour alone. */
const VERDICTS: Record<GroupVerdict, { label: string; tone: "success" | "danger" | "warning" | "neutral" | "info"; Icon: typeof CheckCircle2 }> = {
  verified: { label: "Verified", tone: "success", Icon: CheckCircle2 },
  failed: { label: "Not found yet", tone: "danger", Icon: XCircle },
  temporary_failure: { label: "DNS error", tone: "warning", Icon: AlertTriangle },
  pending: { label: "Not checked", tone: "neutral", Icon: CircleDashed },
  none: { label: "Not needed", tone: "neutral", Icon: HelpCircle },
};

/** `text` overrides the verdict's word where the record knows better (a value found that does not match). */
export function VerdictBadge({ verdict, label, text: override }: { verdict: GroupVerdict; label?: string; text?: string }) {
  const { label: word, tone, Icon } = VERDICTS[verdict];
  const text = override ?? word;
  return (
    <Badge tone={tone} data-verdict={verdict}>
      <Icon aria-hidden />
      {label ? <span className="sr-only">{label}: </span> : null}
      {text}
    </Badge>
  );
}

const STATUSES: Record<DomainView["status"], { label: string; tone: "success" | "danger" | "warning" | "neutral" | "info"; Icon: typeof CheckCircle2; hint: string }> = {
  pending: { label: "Pending", tone: "info", Icon: Clock, hint: "Waiting for the ownership and MX records" },
  verified: { label: "Verified", tone: "success", Icon: CheckCircle2, hint: "Mail for this domain is routed" },
  grace: { label: "Record missing", tone: "warning", Icon: AlertTriangle, hint: "A record disappeared; checking again before routing stops" },
  degraded: { label: "Degraded", tone: "danger", Icon: XCircle, hint: "A required record has been missing for hours" },
  failed: { label: "Verification gave up", tone: "danger", Icon: XCircle, hint: "The records were not found within 72 hours" },
};

export function DomainStatusBadge({ status }: { status: DomainView["status"] }) {
  const { label, tone, Icon, hint } = STATUSES[status];
  return (
    <Badge tone={tone} title={hint} data-status={status}>
      <Icon aria-hidden />
      {label}
    </Badge>
  );
}

export const GROUP_LABELS = { ownership: "Ownership", inbound: "Inbound (MX)", sending: "Sending (SPF + DKIM)" } as const;

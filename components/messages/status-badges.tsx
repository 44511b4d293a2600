import { AlertTriangle, Ban, CheckCircle2, CircleDashed, ShieldAlert, XCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { MESSAGE_STATUS_DESCRIPTIONS, MESSAGE_STATUS_LABELS, type AuthVerdict, type MessageStatus } from "@/lib/messages/types";

const STATUS_LOOK = {
  queued: { tone: "success", Icon: CheckCircle2 },
  spam: { tone: "warning", Icon: ShieldAlert },
  flagged: { tone: "warning", Icon: AlertTriangle },
  refused: { tone: "danger", Icon: Ban },
} as const;

/** Icon and word, not colour alone; the description on hover. */
export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const { tone, Icon } = STATUS_LOOK[status];
  return (
    <Badge tone={tone} title={MESSAGE_STATUS_DESCRIPTIONS[status]}>
      <Icon aria-hidden />
      {MESSAGE_STATUS_LABELS[status]}
    </Badge>
  );
}

const VERDICT_TONE: Record<AuthVerdict, "success" | "danger" | "warning" | "neutral"> = {
  pass: "success",
  fail: "danger",
  softfail: "warning",
  neutral: "neutral",
  none: "neutral",
  temperror: "warning",
  permerror: "danger",
  policy: "neutral",
};

function VerdictIcon({ verdict }: { verdict: AuthVerdict }) {
  if (verdict === "pass") return <CheckCircle2 aria-hidden />;
  if (verdict === "fail" || verdict === "permerror") return <XCircle aria-hidden />;
  if (verdict === "softfail" || verdict === "temperror") return <AlertTriangle aria-hidden />;
  return <CircleDashed aria-hidden />;
}

/** "SPF pass": the check's name and its verdict, for the list and the message page. */
export function VerdictBadge({ check, verdict, title }: { check: string; verdict: AuthVerdict; title?: string }) {
  return (
    <Badge tone={VERDICT_TONE[verdict] ?? "neutral"} title={title ?? `${check}: ${verdict}`}>
      <VerdictIcon verdict={verdict} />
      <span>
        {check} <span className="font-normal">{verdict}</span>
      </span>
    </Badge>
  );
}

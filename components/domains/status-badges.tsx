import { AlertTriangle, CheckCircle2, CircleDashed, Clock, HelpCircle, Lightbulb, Loader2, PenLine, SearchX, XCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { GroupState, RecordState } from "@/lib/domains/record-status";
import type { DomainView, GroupVerdict } from "@/lib/domains/types";

/** Status is always said in words with an icon, never by colour alone. */
const VERDICTS: Record<GroupVerdict, { label: string; tone: "success" | "danger" | "warning" | "neutral" | "info"; Icon: typeof CheckCircle2 }> = {
  verified: { label: "Verified", tone: "success", Icon: CheckCircle2 },
  failed: { label: "Needs changes", tone: "danger", Icon: XCircle },
  temporary_failure: { label: "No DNS answer", tone: "warning", Icon: AlertTriangle },
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

type Tone = "success" | "danger" | "warning" | "neutral" | "info";

/** A record's state in words (lib/domains/record-status.ts): what happened, not merely that it failed. */
const STATES: Record<GroupState, { label: string; tone: Tone; Icon: typeof CheckCircle2 }> = {
  verified: { label: "Verified", tone: "success", Icon: CheckCircle2 },
  wrong_value: { label: "Wrong value", tone: "danger", Icon: PenLine },
  missing: { label: "Not found yet", tone: "danger", Icon: SearchX },
  disappeared: { label: "Disappeared", tone: "danger", Icon: XCircle },
  mixed: { label: "Needs changes", tone: "danger", Icon: XCircle },
  // Optional advice: never the failure style.
  recommended: { label: "Recommended", tone: "neutral", Icon: Lightbulb },
  dns_error: { label: "No DNS answer", tone: "warning", Icon: AlertTriangle },
  pending: { label: "Not checked", tone: "neutral", Icon: CircleDashed },
  none: { label: "Not needed", tone: "neutral", Icon: HelpCircle },
};

export function StateBadge({ state, label, checking = false }: { state: GroupState; label?: string; checking?: boolean }) {
  const { label: word, tone, Icon } = STATES[state];
  const shown = checking && state === "pending" ? { word: "Checking…", Icon: Loader2 } : { word, Icon };
  return (
    <Badge tone={tone} data-state={state}>
      <shown.Icon aria-hidden className={checking && state === "pending" ? "animate-spin" : undefined} />
      {label ? <span className="sr-only">{label}: </span> : null}
      {shown.word}
    </Badge>
  );
}

export type { RecordState };

const STATUSES: Record<DomainView["status"], { label: string; tone: "success" | "danger" | "warning" | "neutral" | "info"; Icon: typeof CheckCircle2; hint: string }> = {
  pending: { label: "Pending", tone: "info", Icon: Clock, hint: "Waiting for the ownership and MX records" },
  verified: { label: "Verified", tone: "success", Icon: CheckCircle2, hint: "Mail for this domain is routed" },
  grace: { label: "Record changed", tone: "warning", Icon: AlertTriangle, hint: "A required record stopped checking out; the domain is still routed while we check again" },
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

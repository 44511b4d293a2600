import type { MailDiversion } from "./record-status";
import type { StatusEvent } from "./status";

/** What admins read in the bell, the notifications page and webhook payloads' `message`. Pure. */

export interface MissingRecord {
  kind: string;
  type: string;
  name: string;
}

export interface EventContext {
  domain: string;
  /** Required records a definite DNS answer says are absent or wrong. */
  missing: MissingRecord[];
  gracePeriodMs: number;
  graceIntervalMs: number;
  pendingTimeoutMs: number;
  /** Where senders' mail goes now, when not to us (record-status.ts › mailDiversion). */
  diversion?: MailDiversion | null;
}

const RECORD_LABELS: Record<string, string> = {
  ownership: "ownership TXT",
  mx: "MX",
  spf: "SPF",
  dkim: "DKIM",
  dmarc: "DMARC",
};

/** "6 hours", "15 minutes", "72 hours" (hours up to a week, as the product states its limits). */
export function describeDuration(ms: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? "" : "s"}`;
  if (ms >= 7 * 86_400_000 && ms % 86_400_000 === 0) return plural(ms / 86_400_000, "day");
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return plural(ms / 3_600_000, "hour");
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, "minute");
  if (ms >= 1_000) return plural(Math.round(ms / 1_000), "second");
  return `${ms} ms`;
}

function listRecords(missing: MissingRecord[]): string {
  const labels = [...new Set(missing.map((record) => `${RECORD_LABELS[record.kind] ?? record.type} record at ${record.name}`))];
  if (labels.length === 0) return "a required record";
  if (labels.length === 1) return `the ${labels[0]}`;
  return `the ${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}

export function describeDomainEvent(event: StatusEvent, context: EventContext): { title: string; body: string } {
  const { domain } = context;
  switch (event) {
    case "verified":
      return {
        title: `${domain} is verified`,
        body: `Its ownership and MX records check out, so email to ${domain} can be routed. We keep re-checking it in the background.`,
      };
    case "grace":
      if (context.diversion === "refused") {
        return {
          title: `Mail to ${domain} is being refused`,
          body:
            `Its MX records now include a null MX, which tells every sender that ${domain} accepts no mail: they bounce messages to it at once. ` +
            `Delete it as the domain's page shows; if the MX records are still wrong after ${describeDuration(context.gracePeriodMs)}, the domain is marked degraded.`,
        };
      }
      if (context.diversion === "elsewhere") {
        return {
          title: `Mail to ${domain} is not reaching us`,
          body:
            `Its MX records now send mail to another host instead of ours, so messages do not reach your queues. ` +
            `Correct them as the domain's page shows; if they are still wrong after ${describeDuration(context.gracePeriodMs)}, the domain is marked degraded.`,
        };
      }
      if (context.diversion === "unrouted") {
        return {
          title: `A record is missing on ${domain}`,
          body:
            `The authoritative DNS servers no longer serve ${listRecords(context.missing)}. Without an MX record for our servers, senders no longer deliver mail for ${domain} to us. ` +
            `Republish it as the domain's page shows; if it is still missing after ${describeDuration(context.gracePeriodMs)}, the domain is marked degraded.`,
        };
      }
      return {
        title: `A record is missing on ${domain}`,
        body:
          `The authoritative DNS servers no longer serve ${listRecords(context.missing)}. Mail keeps flowing for now; ` +
          `we re-check every ${describeDuration(context.graceIntervalMs)}, and if it is still missing after ` +
          `${describeDuration(context.gracePeriodMs)} the domain is marked degraded. Republish the record as shown on the domain's page.`,
      };
    case "degraded":
      return {
        title: `${domain} is degraded`,
        body:
          `${capitalise(listRecords(context.missing))} has been missing for ${describeDuration(context.gracePeriodMs)}. ` +
          `Email to ${domain} may not reach your queues until it is published again; we keep checking and will tell you when it is back.`,
      };
    case "failed":
      return {
        title: `Verification of ${domain} gave up`,
        body:
          `The ownership and MX records were not found within ${describeDuration(context.pendingTimeoutMs)}. ` +
          `Publish the records shown on the domain's page, then restart verification there.`,
      };
    case "recovered":
      return {
        title: `${domain} has recovered`,
        body: `Every required record is published again; email to ${domain} is routed as before.`,
      };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

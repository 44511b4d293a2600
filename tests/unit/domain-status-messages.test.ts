import { describe, expect, it } from "vitest";

import type { DiagnosisCode } from "@/lib/dns";
import { mailDiversion } from "@/lib/domains/record-status";
import { describeDomainEvent, describeDuration } from "@/lib/domains/status-messages";
import type { RecordVerdict } from "@/lib/domains/types";

const context = {
  domain: "help.acme.com",
  missing: [
    { kind: "mx", type: "MX", name: "help.acme.com" },
    { kind: "ownership", type: "TXT", name: "_email-routing.help.acme.com" },
  ],
  gracePeriodMs: 6 * 3_600_000,
  graceIntervalMs: 15 * 60_000,
  pendingTimeoutMs: 72 * 3_600_000,
};

describe("what admins are told", () => {
  it("names the domain, the missing records and the deadlines an admin can act on", () => {
    expect(describeDomainEvent("grace", context)).toEqual({
      title: "A record is missing on help.acme.com",
      body:
        "The authoritative DNS servers no longer serve the MX record at help.acme.com and ownership TXT record at _email-routing.help.acme.com. " +
        "Mail keeps flowing for now; we re-check every 15 minutes, and if it is still missing after 6 hours the domain is marked degraded. " +
        "Republish the record as shown on the domain's page.",
    });
    expect(describeDomainEvent("degraded", { ...context, missing: context.missing.slice(0, 1) }).body).toMatch(/^The MX record at help\.acme\.com has been missing for 6 hours\./);
    expect(describeDomainEvent("failed", context).body).toContain("within 72 hours");
    expect(describeDomainEvent("verified", context).title).toBe("help.acme.com is verified");
    expect(describeDomainEvent("recovered", context).title).toBe("help.acme.com has recovered");
  });

  it("does not promise that mail flows when the MX records send it elsewhere or refuse it", () => {
    const elsewhere = describeDomainEvent("grace", { ...context, diversion: "elsewhere" });
    expect(elsewhere.title).toBe("Mail to help.acme.com is not reaching us");
    expect(elsewhere.body).toMatch(/^Its MX records now send mail to another host instead of ours.*after 6 hours, the domain is marked degraded\.$/);
    const refused = describeDomainEvent("grace", { ...context, diversion: "refused" });
    expect(refused.title).toBe("Mail to help.acme.com is being refused");
    expect(refused.body).toMatch(/null MX.*bounce messages to it at once/);
    const unrouted = describeDomainEvent("grace", { ...context, diversion: "unrouted" });
    expect(unrouted.body).toContain("no longer serve the MX record at help.acme.com and ownership TXT record at _email-routing.help.acme.com");
    expect(unrouted.body).toContain("senders no longer deliver mail for help.acme.com to us");
    for (const message of [elsewhere, refused, unrouted]) expect(message.body).not.toContain("keeps flowing");
  });

  it("reads from the MX records whether mail reaches us", () => {
    const mx = (found: string[], codes: DiagnosisCode[] = [], verdict: RecordVerdict = "failed") => ({
      kind: "mx" as const,
      value: "inbound-1.platform.test",
      found,
      verdict,
      diagnoses: codes.map((code) => ({ code, severity: "error" as const, message: "" })),
    });
    expect(mailDiversion([mx(["10 inbound-1.platform.test"], [], "verified")])).toBeNull();
    // Our host with another preference still takes the mail.
    expect(mailDiversion([mx(["20 inbound-1.platform.test"], ["mx_preference_mismatch"])])).toBeNull();
    expect(mailDiversion([mx(["10 inbound-1.platform.test", "5 old.acme.com"], ["competing_mx"])])).toBe("elsewhere");
    expect(mailDiversion([mx(["10 mail.other.example"], ["value_mismatch"])])).toBe("elsewhere");
    expect(mailDiversion([mx([], ["record_missing"])])).toBe("unrouted");
    expect(mailDiversion([mx(["0 ."], ["null_mx"])])).toBe("refused");
    // No definite answer: nothing is claimed.
    expect(mailDiversion([mx([], ["nameserver_error"], "temporary_failure")])).toBeNull();
    expect(mailDiversion([])).toBeNull();
  });

  it("writes durations the way people say them", () => {
    expect([15 * 60_000, 3_600_000, 6 * 3_600_000, 72 * 3_600_000, 90 * 60_000, 14 * 86_400_000, 1_500, 400].map(describeDuration)).toEqual([
      "15 minutes",
      "1 hour",
      "6 hours",
      "72 hours",
      "90 minutes",
      "14 days",
      "2 seconds",
      "400 ms",
    ]);
  });
});

import { describe, expect, it } from "vitest";

import { describeDomainEvent, describeDuration } from "@/lib/domains/status-messages";

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

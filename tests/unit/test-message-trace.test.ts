import { describe, expect, it } from "vitest";

import { buildTrace, type ArrivedMessage, type TraceRow } from "@/lib/test-messages/trace";
import type { MxRecord } from "@/lib/test-messages/types";

/**
 * The trace is derived from what the console recorded while sending and what our gateway stored;
 * these are the moments where the two disagree or one is missing.
 */
const created = new Date("2026-11-30T10:00:00.000Z");
const at = (seconds: number) => new Date(created.getTime() + seconds * 1000);
const TIMEOUT = 60_000;

const mx: MxRecord = {
  domain: "help.acme.test",
  at: at(1).toISOString(),
  outcome: "exchangers",
  answeredBy: "ns1.acme.test (192.0.2.53:53)",
  message: null,
  exchangers: [{ exchange: "inbound-1.platform.test", preference: 10, addresses: ["192.0.2.25"], refused: [], error: null, ours: true }],
};

function row(overrides: Partial<TraceRow> = {}): TraceRow {
  return {
    id: "6f1c1c44-8a3f-4a57-9a55-3f0b8f1d2a10",
    targetAddress: "support@help.acme.test",
    routeAddress: "support@help.acme.test",
    viaRedirect: false,
    scenario: "own_domain",
    domainId: null,
    createdAt: created,
    createdByEmail: "admin@acme.example",
    status: "sending",
    sentAt: null,
    mx,
    smtp: null,
    failure: null,
    failureDetail: null,
    ...overrides,
  };
}

const accepted = {
  attempts: [
    { exchange: "inbound-1.platform.test", address: "192.0.2.25", port: 25, at: at(2).toISOString(), outcome: "accepted" as const, reply: "250 2.0.0 Ok: queued", code: 250, command: "DATA", error: null, tls: true },
  ],
};

const arrived: ArrivedMessage = {
  id: "0b0c8f5e-5d0e-4b8e-8d8f-0d9b8a7c6e5f",
  receivedAt: at(2),
  hops: [],
  deliveries: [{ recipient: "support@help.acme.test", routeAddress: "support@help.acme.test", originalRecipient: null, queueName: "Support", status: "queued" }],
};

describe("buildTrace", () => {
  it("keeps following a message our gateway stored until the sender has recorded the 250 it answered", () => {
    const racing = buildTrace(row(), { messages: [arrived], refusals: [] }, { now: at(2), timeoutMs: TIMEOUT });
    expect(racing.state).toBe("in_progress");
    expect(racing.stages.find((stage) => stage.key === "arrival")?.status).toBe("done");
    expect(racing.diagnosis).toBeNull();

    const done = buildTrace(row({ status: "sent", sentAt: at(2), smtp: accepted }), { messages: [arrived], refusals: [] }, { now: at(3), timeoutMs: TIMEOUT });
    expect(done.state).toBe("delivered");
    expect(done.stages.map((stage) => stage.status)).toEqual(["done", "done", "done", "done", "done", "done"]);
  });

  it("gives up at the deadline: a redirect that never came names the rule; a direct one says it never arrived", () => {
    const redirected = row({ status: "sent", sentAt: at(2), smtp: accepted, viaRedirect: true, targetAddress: "support@acme.test", scenario: "own_domain_with_copies" });
    expect(buildTrace(redirected, { messages: [], refusals: [] }, { now: at(61), timeoutMs: TIMEOUT }).state).toBe("in_progress");
    const gaveUp = buildTrace(redirected, { messages: [], refusals: [] }, { now: at(63), timeoutMs: TIMEOUT });
    expect(gaveUp.state).toBe("timed_out");
    expect(gaveUp.diagnosis).toMatchObject({ code: "redirect_missing", redirectRule: { from: "support@acme.test", to: "support@help.acme.test" } });
    expect(gaveUp.stages.find((stage) => stage.key === "arrival")).toMatchObject({ status: "failed", summary: "Not received within 1 minute." });

    const direct = buildTrace(row({ status: "sent", sentAt: at(2), smtp: accepted }), { messages: [], refusals: [] }, { now: at(63), timeoutMs: TIMEOUT });
    expect(direct.diagnosis).toMatchObject({ code: "not_arrived", redirectRule: null });
  });

  it("delivered as spam: a direct message points at the sending domain's SPF; a redirected one says the redirect worked and why DMARC failed", () => {
    const spam: ArrivedMessage = { ...arrived, deliveries: [{ ...arrived.deliveries[0]!, queueName: "Spam review", status: "spam" }] };
    const direct = buildTrace(row({ status: "sent", sentAt: at(2), smtp: accepted }), { messages: [spam], refusals: [] }, { now: at(3), timeoutMs: TIMEOUT });
    expect(direct.diagnosis).toMatchObject({ code: "delivered_spam", title: "Delivered to Spam review, as spam" });
    expect(direct.diagnosis?.message).toMatch(/its SPF record must allow the console's servers\.$/);

    const redirected = row({ status: "sent", sentAt: at(2), smtp: accepted, viaRedirect: true, targetAddress: "support@acme.test", scenario: "own_domain_with_copies" });
    const through = buildTrace(redirected, { messages: [spam], refusals: [] }, { now: at(3), timeoutMs: TIMEOUT });
    expect(through.diagnosis?.code).toBe("delivered_spam");
    expect(through.diagnosis?.message).toMatch(/^Your redirect works: the message reached support@help\.acme\.test through it\./);
    expect(through.diagnosis?.message).not.toContain("must allow the console's servers");
  });

  it("says no worker took the message when it was never picked up", () => {
    const trace = buildTrace(row({ status: "queued", mx: null }), { messages: [], refusals: [] }, { now: at(61), timeoutMs: TIMEOUT });
    expect(trace.state).toBe("timed_out");
    expect(trace.diagnosis?.code).toBe("not_sent");
    expect(trace.stages.find((stage) => stage.key === "mx")?.status).toBe("failed");
  });

  it("a gateway refusal outweighs the sender's own failure: the diagnosis names the missing route", () => {
    const trace = buildTrace(
      row({ status: "failed", failure: "smtp_refused", failureDetail: "550 5.1.1 no route", smtp: { attempts: [{ ...accepted.attempts[0]!, outcome: "refused", code: 550, reply: "550 5.1.1 no route", command: "RCPT TO" }] } }),
      { messages: [], refusals: [{ id: "c0ffee00-0000-4000-8000-000000000001", createdAt: at(2), recipient: "support@help.acme.test", reply: "550 5.1.1 no route", reason: "no_route", explanation: "there is no route for support@help.acme.test" }] },
      { now: at(3), timeoutMs: TIMEOUT },
    );
    expect(trace.state).toBe("failed");
    expect(trace.diagnosis?.code).toBe("refused_no_route");
    expect(trace.logPath).toBe("/messages/refusals/c0ffee00-0000-4000-8000-000000000001");
    expect(trace.stages.find((stage) => stage.key === "route")).toMatchObject({ status: "failed", summary: "No route for support@help.acme.test." });
  });
});

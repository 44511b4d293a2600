import { describe, expect, it } from "vitest";

import { groupStates, matchingMx, recordState } from "./record-status";
import type { RecordView } from "./types";

type Input = Pick<RecordView, "kind" | "required" | "verdict" | "found" | "value" | "lastVerifiedAt">;
const record = (overrides: Partial<Input>): Input => ({ kind: "ownership", required: true, verdict: "failed", found: [], value: "token", lastVerifiedAt: null, ...overrides });

describe("record states", () => {
  it("tells a wrong value from a missing record, per kind", () => {
    expect(recordState(record({ found: ["other-token"] }))).toBe("wrong_value");
    expect(recordState(record({}))).toBe("missing");
    expect(recordState(record({ kind: "mx", value: "mx1.platform.test", found: ["20 mx1.platform.test."] }))).toBe("wrong_value");
    // Other MX hosts at the name do not make ours a wrong value: ours is missing.
    expect(recordState(record({ kind: "mx", value: "mx1.platform.test", found: ["10 mail.example.net"] }))).toBe("missing");
    expect(recordState(record({ kind: "spf", found: ["v=spf1 -all"] }))).toBe("wrong_value");
    expect(recordState(record({ kind: "spf", found: ["google-site-verification=abc"] }))).toBe("missing");
  });

  it("says a record verified earlier and missing now has disappeared; DMARC is only recommended", () => {
    expect(recordState(record({ lastVerifiedAt: "2026-11-30T10:00:00Z" }))).toBe("disappeared");
    expect(recordState(record({ kind: "dmarc", required: false }))).toBe("recommended");
    expect(recordState(record({ kind: "dkim", required: false }))).toBe("missing");
    expect(recordState(record({ verdict: "temporary_failure" }))).toBe("dns_error");
    expect(recordState(record({ verdict: "pending" }))).toBe("pending");
  });

  it("sums up a group the way its required records read", () => {
    const records = [
      record({ kind: "ownership", verdict: "verified" }),
      record({ kind: "mx", value: "mx1.platform.test", found: ["20 mx1.platform.test"] }),
      record({ kind: "mx", value: "mx2.platform.test", found: ["20 mx1.platform.test"] }),
      record({ kind: "spf", verdict: "verified" }),
      record({ kind: "dkim", verdict: "temporary_failure" }),
      record({ kind: "dmarc", required: false }),
    ];
    expect(groupStates(records)).toEqual({ ownership: "verified", inbound: "mixed", sending: "dns_error" });
    expect(matchingMx({ value: "MX1.platform.test.", found: ["10 mx2.platform.test", "20 mx1.platform.test"] })).toBe("20 mx1.platform.test");
  });
});

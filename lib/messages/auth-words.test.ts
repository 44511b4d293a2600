import { describe, expect, it } from "vitest";

import { uniformAuthentication } from "@/lib/mail/authenticate";

import { describeAuthentication } from "./auth-words";

describe("an unsigned message's DKIM check", () => {
  it("lists no signature when there is none", () => {
    const auth = uniformAuthentication("none");
    const facts = {
      ...auth,
      details: { ...auth.details, dkim: [{ domain: null, selector: null, verdict: "none" as const, aligned: false, explanation: "message not signed" }] },
      clientAddress: "127.0.0.1",
      envelopeFrom: "customer@shop.example",
      statuses: ["queued" as const],
    };
    const dkim = describeAuthentication(facts).find((check) => check.check === "DKIM");
    expect(dkim?.summary).toMatch(/carries no DKIM signature/);
    expect(dkim?.details).toEqual([]);
  });
});

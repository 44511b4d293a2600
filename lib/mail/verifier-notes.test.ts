import { describe, expect, it } from "vitest";

import { plainVerifierNote } from "./verifier-notes";

describe("verifier notes in plain words", () => {
  it("says what a quoted resolver error means, and leaves other notes as they are", () => {
    expect(plainVerifierNote("inbound-1.test: error in processing during lookup of customer@shop.example: queryTxt ECONNREFUSED shop.example")).toBe(
      "inbound-1.test: error in processing during lookup of customer@shop.example: TXT lookup of shop.example: the DNS server could not be reached",
    );
    expect(plainVerifierNote("queryTxt ETIMEOUT _dmarc.shop.example")).toBe("TXT lookup of _dmarc.shop.example: the DNS server did not answer in time");
    expect(plainVerifierNote("queryMx EWHATEVER shop.example")).toBe("queryMx EWHATEVER shop.example");
    expect(plainVerifierNote("DNS failure: ECONNREFUSED")).toBe("DNS failure: the DNS server could not be reached");
    expect(plainVerifierNote("inbound-1.test: domain of customer@shop.example designates 127.0.0.1 as permitted sender")).toBe(
      "inbound-1.test: domain of customer@shop.example designates 127.0.0.1 as permitted sender",
    );
  });
});

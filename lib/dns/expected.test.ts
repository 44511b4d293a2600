import { describe, expect, it } from "vitest";
import type { ExpectedRecord } from "./expected";
import { parseExpectedRecords } from "./expected";

const valid: ExpectedRecord[] = [
  { kind: "ownership", type: "TXT", name: "_verify.acme.com", value: "tok-1", required: true },
  { kind: "mx", type: "MX", name: "acme.com", exchange: "mx1.example.net", preference: 10, required: true },
  { kind: "spf", type: "TXT", name: "acme.com", include: "_spf.example.net", value: "v=spf1 include:_spf.example.net ~all", required: true },
  { kind: "dkim", type: "TXT", name: "s1._domainkey.acme.com", value: "v=DKIM1; k=rsa; p=MIIB", required: false },
  { kind: "dmarc", type: "TXT", name: "_dmarc.acme.com", value: "v=DMARC1; p=none", required: false },
];

describe("parseExpectedRecords", () => {
  it("accepts the JSON the CLI prints and returns equal plain objects", () => {
    const roundTripped: unknown = JSON.parse(JSON.stringify(valid));
    expect(parseExpectedRecords(roundTripped)).toEqual({ ok: true, value: valid });
  });

  it("drops unknown fields", () => {
    const result = parseExpectedRecords([{ ...valid[0], extra: 1 }]);
    expect(result).toEqual({ ok: true, value: [valid[0]] });
  });

  it("lists every problem with its path", () => {
    const result = parseExpectedRecords([
      { kind: "mx", type: "TXT", name: "acme..com", exchange: "mx.example.net", preference: 70000, required: "yes" },
      { kind: "dmarc", type: "TXT", name: "_dmarc.acme.com", value: "v=DMARC1", required: true },
      { kind: "spf", type: "TXT", name: "acme.com", include: "", value: "include:x", required: true },
      { kind: "caa" },
      "nope",
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'records[0].type must be "MX" for kind "mx"',
      expect.stringMatching(/^records\[0\]\.name "acme\.\.com" is not a valid DNS name/),
      "records[0].required must be true or false",
      "records[0].preference must be an integer from 0 to 65535",
      "records[1].required must be false for dmarc (DMARC is advisory)",
      "records[2].include must be a domain name",
      'records[2].value must start with "v=spf1"',
      expect.stringMatching(/^records\[3\]\.kind must be one of/),
      "records[4] must be an object",
    ]);
  });

  it("rejects anything but an array", () => {
    expect(parseExpectedRecords({ records: valid })).toEqual({ ok: false, errors: ["records must be an array"] });
  });
});

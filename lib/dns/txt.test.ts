import { describe, expect, it } from "vitest";
import { dkimPublicKey, dkimRecordUsable, dkimTagProblems, findConcatenation, hasLiteralQuotes, isDkimRecord, isDmarcRecord, joinTxtStrings, stripLiteralQuotes, toTxtValue } from "./txt";

describe("TXT values", () => {
  it("joins the strings of one record without separator, keeping the raw strings", () => {
    expect(joinTxtStrings(["v=DKIM1; k=rsa; p=MIIBabc", "def"])).toBe("v=DKIM1; k=rsa; p=MIIBabcdef");
    expect(toTxtValue(["a", "b"])).toEqual({ strings: ["a", "b"], value: "ab" });
  });

  it("detects and strips quotes typed into a value field", () => {
    expect(hasLiteralQuotes('"token-123"')).toBe(true);
    expect(hasLiteralQuotes("token-123")).toBe(false);
    expect(stripLiteralQuotes('"token-123"')).toBe("token-123");
    expect(stripLiteralQuotes("\u201ctoken\u201d")).toBe("token");
    expect(stripLiteralQuotes('"v=DKIM1; p=AB" "CD"')).toBe("v=DKIM1; p=ABCD");
  });

  it("finds a value that was split over separate records, in any order", () => {
    expect(findConcatenation("abcdef", ["def", "x", "abc"])).toEqual([2, 0]);
    expect(findConcatenation("abcdef", ["abcdef"])).toBeNull();
    expect(findConcatenation("abcdef", ["abc", "de"])).toBeNull();
  });
});

describe("DKIM and DMARC values", () => {
  it("reads the p= key whatever the tag order and whitespace", () => {
    expect(dkimPublicKey("v=DKIM1; k=rsa; p=MIIB AQAB")).toBe("MIIBAQAB");
    expect(dkimPublicKey("p = MIIB\tAQAB ; v=DKIM1")).toBe("MIIBAQAB");
    expect(dkimPublicKey("v=DKIM1; k=rsa")).toBeNull();
    expect(isDkimRecord("k=rsa; p=abc")).toBe(true);
    expect(isDkimRecord("v=DKIM2; p=abc")).toBe(false);
  });

  it("recognises DMARC records", () => {
    expect(isDmarcRecord("v=DMARC1; p=none")).toBe(true);
    expect(isDmarcRecord("v=DMARC1")).toBe(true);
    expect(isDmarcRecord("v=spf1 -all")).toBe(false);
  });

  it("names the DKIM key tags that keep receivers from using our rsa-sha256 key", () => {
    const expected = "v=DKIM1; k=rsa; p=KEY";
    const kinds = (published: string) => dkimTagProblems(published, expected).map((p) => `${p.kind}:${p.tag}=${p.value}:${p.effect}`);
    expect(kinds("v=DKIM1; h=sha1; k=rsa; p=KEY")).toEqual(["hash:h=sha1:ignored"]);
    expect(kinds("v=DKIM1; s=tlsrpt; p=KEY")).toEqual(["service:s=tlsrpt:ignored"]);
    expect(kinds("v=DKIM1; k=ed25519; p=KEY")).toEqual(["key_type:k=ed25519:ignored"]);
    expect(kinds("v=DKIM1; p=KEY; p=OTHER")).toEqual(["repeated_tag:p=KEY, OTHER:ignored"]);
    expect(kinds("v=DKIM1; t=s:y; p=KEY")).toEqual(["testing:t=s:y:unsigned"]);
    expect(kinds("k=rsa; v=DKIM1; p=KEY")).toEqual(["version_not_first:v=DKIM1:strict"]);
    expect(kinds("v=DKIM1; h=sha1:sha256; s=email:tlsrpt; t=s; p=KEY")).toEqual([]);
    expect(dkimRecordUsable("k=rsa; v=DKIM1; p=KEY", expected)).toBe(true);
    expect(dkimRecordUsable("v=DKIM1; t=y; p=KEY", expected)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidNameError, isIpLiteral, isSubdomainOf, nameAndAncestors, normalizeName, relativeName, sameName, toAsciiName, tryAsciiName } from "./names";

describe("toAsciiName", () => {
  it("lowercases and drops the trailing dot", () => {
    expect(toAsciiName("  Mail.ACME.com. ")).toBe("mail.acme.com");
  });

  it("converts Unicode labels to punycode A-labels", () => {
    expect(toAsciiName("bücher.example")).toBe("xn--bcher-kva.example");
    expect(toAsciiName("_verify.Bücher.Example")).toBe("_verify.xn--bcher-kva.example");
    expect(toAsciiName("例え.テスト")).toBe("xn--r8jz45g.xn--zckzah");
  });

  it("maps names by UTS #46: fullwidth forms, ideographic full stops, deviation characters kept", () => {
    expect(toAsciiName("_dmarc.ｈｅｌｐ。Example．com")).toBe("_dmarc.help.example.com");
    expect(toAsciiName("faß.de")).toBe("xn--fa-hia.de");
  });

  it("refuses what UTS #46 would silently change or cannot decode, saying why", () => {
    expect(() => toAsciiName("exa\u00admple.com")).toThrow(/U\+00AD SOFT HYPHEN/);
    expect(() => toAsciiName("exa\u200bmple.com")).toThrow(/U\+200B ZERO WIDTH SPACE/);
    expect(() => toAsciiName("xn--abc.example")).toThrow(/"xn--abc" is not a valid internationalised label/);
    expect(() => toAsciiName("1שלום.example")).toThrow(/bidi rule/);
  });

  it("keeps underscore labels used by DKIM, DMARC and ownership records", () => {
    expect(toAsciiName("sel1._domainkey.acme.com")).toBe("sel1._domainkey.acme.com");
  });

  it("rejects names that can never be queried, saying why", () => {
    expect(() => toAsciiName("a..b.com")).toThrow(InvalidNameError);
    expect(() => toAsciiName("")).toThrow(/empty name/);
    expect(() => toAsciiName("has space.com")).toThrow(/not allowed/);
    expect(() => toAsciiName(`${"a".repeat(64)}.com`)).toThrow(/63/);
    expect(() => toAsciiName(`${"abcdefghi.".repeat(26)}com`)).toThrow(/253/);
    expect(tryAsciiName(42)).toEqual({ ok: false, error: "not a string" });
  });
});

describe("name comparison", () => {
  it("is case-, trailing-dot- and encoding-insensitive", () => {
    expect(sameName("ACME.com.", "acme.COM")).toBe(true);
    expect(sameName("bücher.example", "XN--BCHER-KVA.example.")).toBe(true);
    expect(sameName("acme.com", "acme.co")).toBe(false);
    expect(normalizeName("Odd Name.")).toBe("odd name");
  });

  it("knows subdomains, ancestors and relative names", () => {
    expect(isSubdomainOf("_x.help.acme.com", "acme.com")).toBe(true);
    expect(isSubdomainOf("notacme.com", "acme.com")).toBe(false);
    expect(nameAndAncestors("help.acme.com.")).toEqual(["help.acme.com", "acme.com", "com"]);
    expect(relativeName("_x.help.acme.com", "acme.com")).toBe("_x.help");
    expect(relativeName("acme.com", "ACME.com.")).toBe("@");
  });

  it("recognises IP literals used as MX targets", () => {
    expect(isIpLiteral("192.0.2.1")).toBe(true);
    expect(isIpLiteral("192.0.2.1.")).toBe(true);
    expect(isIpLiteral("[2001:db8::1]")).toBe(true);
    expect(isIpLiteral("mx.acme.com")).toBe(false);
  });
});

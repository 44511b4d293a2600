import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { loadConfig } from "@/lib/config/env";
import { tryAsciiName } from "@/lib/dns/names";
import { checkHostname, checkPlatformLabel, DEFAULT_RESERVED_PLATFORM_LABELS } from "@/lib/domains/hostname";
import { checkEmailAddress } from "@/lib/routes/address";

/**
 * Names as people type them: one UTS #46 normalisation (lib/dns/idna.ts) behind the registration
 * check, the platform label, addresses and the DNS engine, so they can never disagree.
 */

describe("UTS #46 mapping", () => {
  it("maps fullwidth forms, case and ideographic full stops to the one name", () => {
    expect(checkHostname("ｈｅｌｐ.example.com")).toEqual({ ok: true, ascii: "help.example.com", unicode: "help.example.com" });
    expect(checkHostname("ＨＥＬＰ．Ｅｘａｍｐｌｅ。com")).toMatchObject({ ok: true, ascii: "help.example.com" });
    expect(checkHostname(" Hilfe.Bücher.test. ")).toEqual({ ok: true, ascii: "hilfe.xn--bcher-kva.test", unicode: "hilfe.bücher.test" });
    expect(checkHostname("xn--bcher-kva.test")).toEqual({ ok: true, ascii: "xn--bcher-kva.test", unicode: "bücher.test" });
    // Non-transitional processing: ß stays ß (faß.de and fass.de are different domains).
    expect(checkHostname("Faß.de")).toMatchObject({ ok: true, ascii: "xn--fa-hia.de" });
  });

  it("gives the DNS engine, registration and addresses the same answer", () => {
    const names = [
      ["ｈｅｌｐ.example.com", "help.example.com"],
      ["HELP.Example.COM.", "help.example.com"],
      ["ＢÜＣＨＥＲ.example", "xn--bcher-kva.example"],
      ["例え.テスト", "xn--r8jz45g.xn--zckzah"],
      ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ] as const;
    for (const [typed, ascii] of names) {
      expect(checkHostname(typed), typed).toMatchObject({ ok: true, ascii });
      expect(tryAsciiName(typed), typed).toEqual({ ok: true, name: ascii });
      expect(checkEmailAddress(`support@${typed}`), typed).toMatchObject({ ok: true, domain: ascii, address: `support@${ascii}` });
    }
  });

  it("is idempotent: a normalised name normalises to itself (property)", () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/).filter((value) => value.slice(2, 4) !== "--");
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (labels) => {
        const first = checkHostname(`${labels.join(".")}.example`);
        if (!first.ok) return;
        expect(checkHostname(first.ascii)).toEqual(first);
        expect(checkHostname(first.unicode)).toEqual(first);
      }),
    );
  });
});

describe("names UTS #46 refuses, with a message that says why", () => {
  it("refuses invisible and control characters, even those the mapping would silently delete", () => {
    expect(checkHostname("exa\u200bmple.com")).toEqual({
      ok: false,
      error: "The name contains an invisible or control character, U+200B ZERO WIDTH SPACE (character 4). Type the name again rather than pasting it",
    });
    expect(checkHostname("exa\u202emple.com")).toMatchObject({ ok: false, error: expect.stringContaining("U+202E RIGHT-TO-LEFT OVERRIDE") });
    expect(checkHostname("exa\u00admple.com")).toMatchObject({ ok: false, error: expect.stringContaining("U+00AD SOFT HYPHEN") });
    expect(checkHostname("\ufeffexample.com\u2060")).toMatchObject({ ok: false, error: expect.stringContaining("U+2060 WORD JOINER") });
    expect(tryAsciiName("_dmarc.exa\u00admple.com")).toMatchObject({ ok: false, error: expect.stringContaining("SOFT HYPHEN") });
    expect(checkPlatformLabel("ac\u200bme")).toMatchObject({ ok: false, error: expect.stringContaining("ZERO WIDTH SPACE") });
    expect(checkEmailAddress("support@exa\u200bmple.com")).toMatchObject({ ok: false, error: expect.stringContaining("invisible or control character") });
  });

  it("refuses joiners outside the contexts CONTEXTJ allows, and accepts them inside", () => {
    expect(checkHostname("a\u200db.example.com")).toMatchObject({ ok: false, error: expect.stringMatching(/^"ab" contains a zero-width joiner or non-joiner .*CONTEXTJ/) });
    expect(checkHostname("a\u200cb.example.com")).toMatchObject({ ok: false, error: expect.stringContaining("CONTEXTJ") });
    // ZWJ after a virama (Devanagari half forms) is what CONTEXTJ is for.
    expect(checkHostname("क्\u200dष.example.com")).toMatchObject({ ok: true, ascii: "xn--11b2ezcw70k.example.com" });
  });

  it("refuses names that break the bidi rule", () => {
    expect(checkHostname("1שלום.example.com")).toEqual({
      ok: false,
      error: '"1שלום" mixes right-to-left and left-to-right text in a way domain names do not allow (the bidi rule of RFC 5893)',
    });
    expect(checkHostname("שלום1.example.com")).toMatchObject({ ok: true });
  });

  it("refuses xn-- labels that do not decode to Unicode", () => {
    for (const label of ["xn--", "xn--abc", "xn--zz-", "XN--ABC"]) {
      expect(checkHostname(`${label}.example.com`), label).toEqual({
        ok: false,
        error: `"${label}" is not a valid internationalised label: what follows xn-- must be punycode that decodes to Unicode`,
      });
    }
  });

  it("refuses characters no domain name has, and labels starting with a combining mark", () => {
    expect(checkHostname("x\u2024y.example.com")).toEqual({ ok: false, error: '"x\u2024y" contains "\u2024" (U+2024), which domain names cannot contain' });
    expect(checkHostname("\u0301ab.example.com")).toMatchObject({ ok: false, error: expect.stringContaining("cannot start with a combining mark") });
    expect(checkHostname("help_desk.acme.test")).toEqual({ ok: false, error: '"help_desk" contains an underscore, which host names cannot have' });
    expect(checkHostname("-help.acme.test")).toEqual({ ok: false, error: '"-help" cannot start or end with a hyphen' });
  });
});

describe("platform labels", () => {
  it("normalise case, spaces and fullwidth forms to one label", () => {
    for (const typed of ["acme-sec", "ACME-SEC", " acme-sec ", "ａｃｍｅ－ｓｅｃ", "Acme-Sec."]) {
      expect(checkPlatformLabel(typed), typed).toEqual({ ok: true, label: "acme-sec" });
    }
  });

  it("name the reserved punycode prefix as the reason, also for a label that decodes to something", () => {
    for (const typed of ["xn--abc", "XN--bcher-kva", "ab--cd"]) {
      expect(checkPlatformLabel(typed), typed).toEqual({ ok: false, error: "Cannot have two hyphens in the third and fourth position (reserved for punycode)" });
    }
    expect(checkPlatformLabel("a-b-c")).toEqual({ ok: true, label: "a-b-c" });
  });

  it("refuse labels that are too short, with the reason", () => {
    expect(checkPlatformLabel("ab")).toEqual({ ok: false, error: "Use at least 3 characters" });
    expect(checkPlatformLabel(" Ａ ")).toEqual({ ok: false, error: "Use at least 3 characters" });
    expect(checkPlatformLabel("abc")).toEqual({ ok: true, label: "abc" });
  });

  it("have a reserved list that operators can replace, normalised like the labels admins type", () => {
    const defaults = loadConfig({ NODE_ENV: "development" });
    expect(defaults.ok && defaults.config.RESERVED_PLATFORM_LABELS).toEqual([...DEFAULT_RESERVED_PLATFORM_LABELS]);
    for (const label of ["www", "mail", "postmaster", "abuse", "admin", "hostmaster", "webmaster", "noreply"]) {
      expect(DEFAULT_RESERVED_PLATFORM_LABELS, label).toContain(label);
    }
    expect(loadConfig({ NODE_ENV: "development", RESERVED_PLATFORM_LABELS: " WWW, ｍａｉｌ ,tenant,,www" })).toMatchObject({
      ok: true,
      config: { RESERVED_PLATFORM_LABELS: ["www", "mail", "tenant"] },
    });
    expect(loadConfig({ NODE_ENV: "development", RESERVED_PLATFORM_LABELS: "www,two words" })).toMatchObject({
      ok: false,
      problems: [{ variable: "RESERVED_PLATFORM_LABELS", message: expect.stringContaining('has an invalid entry "two words"') }],
    });
  });

  it("configuration normalises the platform domain itself", () => {
    expect(loadConfig({ NODE_ENV: "development", PLATFORM_DOMAIN: "Mail.ＲＯＵＴＩＮＧ.example." })).toMatchObject({ ok: true, config: { PLATFORM_DOMAIN: "mail.routing.example" } });
  });
});

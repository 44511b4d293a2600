import { describe, expect, it } from "vitest";

import type { RecordCheck } from "@/lib/dns/report";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { diagnosis, dnsWorlds, exampleNet, expectAcme, expectFailedWith, onlyCheck, publishAcme, worldOptions } from "@/tests/support/dns-engine";
import type { FixtureRecord } from "@/tests/support/dns-server";

// What receivers do with an SPF record (RFC 7208): evaluate terms in order, stop at the first
// match, stop with a permanent error at the 11th DNS-querying term, never read past `all`.
// Mail from us matches only our include, so everything before it is evaluated in full.

const spf = expectAcme.spf();

// Includes of known cost: each a:/mx/ptr/exists term is one lookup, the include itself one more.
const HELPERS: FixtureRecord[] = [
  { name: "five-a.acme.com", type: "TXT", data: "v=spf1 a:1.acme.com a:2.acme.com a:3.acme.com a:4.acme.com -all" }, // include costs 5
  { name: "five-b.acme.com", type: "TXT", data: "v=spf1 mx:1.acme.com mx:2.acme.com ptr exists:e.acme.com -all" }, // 5
  { name: "eight.acme.com", type: "TXT", data: "v=spf1 include:five-a.acme.com a mx -all" }, // 1 + 5 + 2 = 8 as an include target
  { name: "nested.acme.com", type: "TXT", data: "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net -all" },
  // The names those terms look up exist: a lookup that finds nothing is a void lookup (tested on its own).
  ...["acme.com", "1.acme.com", "2.acme.com", "3.acme.com", "4.acme.com", "e.acme.com", "x.acme.com"].map((name): FixtureRecord => ({ name, type: "A", data: "192.0.2.1" })),
  ...["acme.com", "1.acme.com", "2.acme.com"].map((name): FixtureRecord => ({ name, type: "MX", data: { preference: 10, exchange: "mx1.inbound.example.net" } })),
];

const startWorld = dnsWorlds();

async function checkSpf(...records: string[]): Promise<RecordCheck> {
  const w = await startWorld({ zones: [{ origin: "acme.com" }, { origin: "example.net", records: [exampleNet.spf()] }] });
  w.publish(...HELPERS, ...records.map((data) => publishAcme.spf(data)));
  return onlyCheck(await verifyDomainRecords({ domain: "acme.com", records: [spf] }, worldOptions(w)));
}

const codes = (c: RecordCheck) => c.diagnoses.map((d) => d.code);

/** The record passes, and without the diagnosis `code`. */
function expectVerifiedWithout(c: RecordCheck, code: string) {
  expect(c.verdict).toBe("verified");
  expect(codes(c)).not.toContain(code);
}

/** The record has `verdict`, and a spf_too_many_lookups diagnosis: that diagnosis. */
function tooManyLookups(c: RecordCheck, verdict: "verified" | "failed") {
  expect(c.verdict).toBe(verdict);
  return diagnosis(c, "spf_too_many_lookups");
}

describe("the 10-lookup limit, counted in evaluation order", () => {
  it("our include reached only as the 12th lookup: receivers stop before it, so the record fails", async () => {
    const d = tooManyLookups(await checkSpf("v=spf1 include:five-a.acme.com include:five-b.acme.com mx include:_spf.example.net ~all"), "failed");
    expect(d.severity).toBe("error");
    expect(d.details).toMatchObject({ lookups: 12, lookupsBeforeInclude: 11, includeReached: false });
    expect(d.message).toMatch(/receivers stop at the 10th and reject the record before they reach include:_spf\.example\.net/);
    // The fix puts our include first, where it costs one lookup.
    expect(d.message).toContain("`v=spf1 include:_spf.example.net include:five-a.acme.com include:five-b.acme.com mx ~all`");
  });

  it("our include as the 10th lookup still passes; as the 11th it fails", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 include:five-a.acme.com a mx ptr exists:x.acme.com include:_spf.example.net ~all"), "spf_too_many_lookups");

    const eleventh = await checkSpf("v=spf1 include:five-a.acme.com include:five-b.acme.com include:_spf.example.net ~all");
    expect(tooManyLookups(eleventh, "failed").details).toMatchObject({ lookupsBeforeInclude: 10, includeReached: false });
  });

  it("over 10 in total with ours reached in time: verified, with a warning that the senders after it fail", async () => {
    const c = await checkSpf("v=spf1 include:_spf.example.net include:five-a.acme.com include:five-b.acme.com mx ~all");
    const d = tooManyLookups(c, "verified");
    expect(d.severity).toBe("warning");
    expect(d.details).toMatchObject({ lookups: 12, lookupsBeforeInclude: 0, includeReached: true });
    expect(d.message).toMatch(/needs 12 DNS lookups.*include:_spf\.example\.net is reached at lookup 1, so mail sent through us passes.*senders authorised after the 10th lookup fail SPF/);
    expect(c.diagnoses.every((x) => x.severity !== "error")).toBe(true);
  });

  it("terms after `all` are never evaluated, so they cost nothing", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 include:_spf.example.net ~all include:five-a.acme.com include:five-b.acme.com mx"), "spf_too_many_lookups");
  });
});

describe("our include after `all`", () => {
  it("is never reached: failed, and the fix moves it before `all`", async () => {
    const c = await checkSpf("v=spf1 mx -all include:_spf.example.net");
    expectFailedWith(c, "spf_include_after_all", expect.stringContaining("Move it before \"all\": `v=spf1 mx include:_spf.example.net -all`"));
    expect(codes(c)).not.toContain("value_mismatch");
  });
});

describe("redirect=", () => {
  it("counts as a lookup, with its target's lookups, after every mechanism", async () => {
    // ours 1 + a 1 + redirect 8 (itself, then eight.acme.com's include five-a 5, a 1, mx 1) = 10: at the limit.
    expectVerifiedWithout(await checkSpf("v=spf1 include:_spf.example.net a redirect=eight.acme.com"), "spf_too_many_lookups");
    // One more mechanism before the redirect makes 11.
    expect(tooManyLookups(await checkSpf("v=spf1 include:_spf.example.net a mx redirect=eight.acme.com"), "verified").details).toMatchObject({ lookups: 11, includeReached: true });
  });

  it("is ignored when the record has `all`, wherever `all` stands", async () => {
    const c = await checkSpf("v=spf1 redirect=eight.acme.com include:_spf.example.net include:five-a.acme.com include:five-b.acme.com -all");
    // Without the redirect: 1 + 5 + 5 = 11 (reported); the redirect's 8 would make it 19.
    expect(diagnosis(c, "spf_too_many_lookups").details).toMatchObject({ lookups: 11 });
  });

  it("reaches our include through the redirected record, counting what comes before it there", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 redirect=nested.acme.com"), "value_mismatch");
  });
});

describe("an include receivers cannot evaluate", () => {
  it("before ours (a domain without an SPF record) stops receivers with a permanent error: failed", async () => {
    const c = await checkSpf("v=spf1 include:gone.acme.com include:_spf.example.net ~all");
    expectFailedWith(c, "spf_broken_include", expect.stringMatching(/include:gone\.acme\.com .*gone\.acme\.com has no SPF record.*before they reach include:_spf\.example\.net/));
  });

  it("after ours only affects the senders after it: verified, with a warning", async () => {
    const c = await checkSpf("v=spf1 include:_spf.example.net include:gone.acme.com ~all");
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "spf_broken_include").severity).toBe("warning");
  });
});

describe("two SPF records", () => {
  it("stay failed, even when both include ours", async () => {
    const c = await checkSpf("v=spf1 include:_spf.example.net ~all", "v=spf1 include:_spf.example.net mx -all");
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "multiple_spf").severity).toBe("error");
  });
});

describe("a record that is not valid SPF", () => {
  it("fails on any term receivers reject, naming it and the likely cause, with the record as meant", async () => {
    const dash = await checkSpf("v=spf1 include:_spf.example.net –all");
    expectFailedWith(dash, "spf_syntax_error", expect.stringContaining("`–all` contains an en dash (U+2013) where a hyphen (-) belongs"));
    expect(diagnosis(dash, "spf_syntax_error").message).toMatch(/permanent error.*Change it to `v=spf1 include:_spf\.example\.net -all`\.$/);
    expect(codes(dash)).toEqual(["spf_syntax_error"]);

    const typo = await checkSpf("v=spf1 include:_spf.example.net inclde:five-a.acme.com -all");
    expectFailedWith(typo, "spf_syntax_error", expect.stringContaining("`inclde` is not an SPF mechanism (did you mean `include`?)"));
  });

  it.each([
    ["v=spf1 include:_spf.example.net ip4:999.1.1.1 -all", "`ip4:999.1.1.1`: `999.1.1.1` is not a valid IPv4 address"],
    ["v=spf1 ip4:192.0.2.0/33 include:_spf.example.net -all", "/33 is not an IPv4 prefix length"],
    ["v=spf1 include:_spf.example.net ip6:2001:db8::/129 -all", "/129 is not an IPv6 prefix length"],
    ["v=spf1 include:_spf.example.net exists:%{q}.acme.com -all", "has an invalid macro `%{q}`"],
    ["v=spf1 include:_spf.example.net -all exp=x.acme.com exp=y.acme.com", "exp= appears more than once"],
    ["v=spf1 include:_spf.example.net redirect=five-a.acme.com redirect=five-b.acme.com", "redirect= appears more than once"],
  ])("%s: failed, with the bad term named and no made-up fix", async (record, problem) => {
    const c = await checkSpf(record);
    expectFailedWith(c, "spf_syntax_error", expect.stringContaining(problem));
    expect(diagnosis(c, "spf_syntax_error").message).toMatch(/Correct this term or remove it/);
  });

  it("accepts unknown modifiers, as receivers ignore them", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 include:_spf.example.net future-option=%{d}.x -all"), "spf_syntax_error");
  });

  it("an include whose record has a syntax error stops receivers before ours: spf_broken_include", async () => {
    const w = await startWorld({ zones: [{ origin: "acme.com" }, { origin: "example.net", records: [exampleNet.spf()] }] });
    w.publish(publishAcme.spf("v=spf1 include:spf.acme.com -all"), { name: "spf.acme.com", type: "TXT", data: "v=spf1 ip4:192.0.2.500 include:_spf.example.net ~all" });
    const c = onlyCheck(await verifyDomainRecords({ domain: "acme.com", records: [spf] }, worldOptions(w)));
    expectFailedWith(c, "spf_broken_include", expect.stringMatching(/include:spf\.acme\.com cannot be evaluated .*the SPF record at spf\.acme\.com has a syntax error .*`ip4:192\.0\.2\.500`.*before they reach include:_spf\.example\.net/));
    expect(codes(c)).not.toContain("value_mismatch");
  });

  it("a TXT value with a space before v=spf1 is no SPF record for receivers", async () => {
    const c = await checkSpf(" v=spf1 include:_spf.example.net -all");
    expectFailedWith(c, "spf_syntax_error", expect.stringMatching(/starts with a space before "v=spf1".*they ignore it and acme\.com has no SPF record for them\. Remove the leading space: `v=spf1 include:_spf\.example\.net -all`\./));
    expect(codes(c)).toEqual(["spf_syntax_error"]);
  });
});

describe("our include with a qualifier that does not give pass", () => {
  it.each([
    ["?", "neutral"],
    ["~", "softfail"],
    ["-", "fail"],
  ])("%sinclude: says which qualifier to remove, and suggests the record without it", async (qualifier, result) => {
    const c = await checkSpf(`v=spf1 ${qualifier}include:_spf.example.net -all`);
    expectFailedWith(
      c,
      "spf_include_qualifier",
      `In the SPF record at acme.com, include:_spf.example.net has the \`${qualifier}\` qualifier (${result}): mail sent through us matches it and gets "${result}" instead of "pass", so it fails SPF. Remove the \`${qualifier}\`: \`v=spf1 include:_spf.example.net -all\`.`,
    );
    expect(codes(c)).toEqual(["spf_include_qualifier"]);
  });

  it("is no problem after a passing include of ours", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 include:_spf.example.net ?include:_spf.example.net -all"), "spf_include_qualifier");
  });
});

/** acme.com's record `record`, with example.net's SPF records (the platform's include target) as given. */
async function checkWithPlatformSpf(platform: string[], record: string, extra: FixtureRecord[] = []): Promise<RecordCheck> {
  const w = await startWorld({ zones: [{ origin: "acme.com" }, { origin: "example.net", records: platform.map((value) => exampleNet.spf(value)) }] });
  w.publish(publishAcme.spf(record), ...extra);
  return onlyCheck(await verifyDomainRecords({ domain: "acme.com", records: [spf] }, worldOptions(w)));
}

describe("our include reached another way", () => {
  it("redirect= to our SPF domain: receivers evaluate our record as acme.com's, so it passes", async () => {
    const c = await checkWithPlatformSpf(["v=spf1 ip4:192.0.2.0/24 ~all"], "v=spf1 redirect=_spf.example.net");
    expect(c.verdict).toBe("verified");
    expect(c.diagnoses.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("an include of a name that is an alias (CNAME) of our SPF domain: the TXT lookup follows it, so it passes", async () => {
    const c = await checkWithPlatformSpf(["v=spf1 ip4:192.0.2.0/24 ~all"], "v=spf1 include:spf.acme.com -all", [{ name: "spf.acme.com", type: "CNAME", data: "_spf.example.net" }]);
    expect(c.verdict).toBe("verified");
    expect(c.diagnoses.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("the platform's own SPF record", () => {
  it.each([
    ["missing", [], "_spf.example.net has no SPF record"],
    ["doubled", ["v=spf1 ip4:192.0.2.0/24 ~all", "v=spf1 -all"], "_spf.example.net has 2 SPF records"],
    ["invalid", ["v=spf1 ip4:192.0.2.0/24 –all"], "the SPF record at _spf.example.net has a syntax error"],
  ])("%s: every customer's SPF fails, and the customer is told it is ours to fix", async (_, platform, problem) => {
    const c = await checkWithPlatformSpf(platform, "v=spf1 include:_spf.example.net -all");
    expectFailedWith(c, "spf_platform_record_broken", expect.stringContaining(problem));
    expect(diagnosis(c, "spf_platform_record_broken").message).toMatch(/^Your SPF record includes ours as it should, but the platform's own SPF record at _spf\.example\.net.*a problem on our side that you cannot fix in your DNS: please contact support\.$/);
    expect(codes(c)).toEqual(["spf_platform_record_broken"]);
  });

  it("is checked when reached through redirect= too", async () => {
    expectFailedWith(await checkWithPlatformSpf([], "v=spf1 redirect=_spf.example.net"), "spf_platform_record_broken", expect.stringContaining("has no SPF record"));
  });
});

describe("void lookups (names that do not exist or have no records)", () => {
  it.each(["a", "mx"])("three %s: terms before ours that find nothing: failed, naming them", async (mechanism) => {
    const c = await checkSpf(`v=spf1 ${mechanism}:void1.acme.com ${mechanism}:void2.acme.com ${mechanism}:void3.acme.com include:_spf.example.net -all`);
    expectFailedWith(
      c,
      "spf_void_lookups",
      `In the SPF record at acme.com, 3 terms before include:_spf.example.net look up names that do not exist or have no records (${mechanism}:void1.acme.com, ${mechanism}:void2.acme.com, ${mechanism}:void3.acme.com). Receivers that apply the limit of 2 such "void" lookups stop with a permanent error at the third, before they reach include:_spf.example.net, so mail sent through us fails SPF. Remove the terms for names that no longer exist, or put include:_spf.example.net first: \`v=spf1 include:_spf.example.net ${mechanism}:void1.acme.com ${mechanism}:void2.acme.com ${mechanism}:void3.acme.com -all\`.`,
    );
  });

  it("counts them inside includes too, and not after ours", async () => {
    const w = await startWorld({ zones: [{ origin: "acme.com" }, { origin: "example.net", records: [exampleNet.spf()] }] });
    w.publish(publishAcme.spf("v=spf1 exists:void1.acme.com include:voids.acme.com include:_spf.example.net -all"), { name: "voids.acme.com", type: "TXT", data: "v=spf1 a:void2.acme.com mx:void3.acme.com -all" });
    const c = onlyCheck(await verifyDomainRecords({ domain: "acme.com", records: [spf] }, worldOptions(w)));
    expect(diagnosis(c, "spf_void_lookups").details).toMatchObject({ terms: ["exists:void1.acme.com", "a:void2.acme.com", "mx:void3.acme.com"] });

    expectVerifiedWithout(await checkSpf("v=spf1 include:_spf.example.net a:void1.acme.com a:void2.acme.com a:void3.acme.com -all"), "spf_void_lookups");
  });

  it("two are within the limit", async () => {
    expectVerifiedWithout(await checkSpf("v=spf1 a:void1.acme.com mx:void2.acme.com include:_spf.example.net -all"), "spf_void_lookups");
  });
});

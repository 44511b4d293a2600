import { describe, expect, it } from "vitest";
import type { SpfFetcher } from "./spf";
import { countSpfLookups, isSpfRecord, locateSpfInclude, mergeSpfRecords, parseSpf, spfEvaluationOrder, spfIncludeAfterAll, spfIncludes, spfWithIncludeFirst } from "./spf";

const fetcherFrom = (zone: Record<string, string[]>, calls: string[] = []): SpfFetcher => {
  return async (name) => {
    calls.push(name);
    return { kind: "records", values: zone[name] ?? [] };
  };
};

describe("SPF parsing", () => {
  it("recognises v=spf1 case-insensitively, not look-alikes", () => {
    expect(isSpfRecord("V=SPF1 -all")).toBe(true);
    expect(isSpfRecord("v=spf1")).toBe(true);
    expect(isSpfRecord("v=spf10 -all")).toBe(false);
    expect(isSpfRecord('"v=spf1 -all"')).toBe(false);
  });

  it("splits mechanisms, qualifiers and modifiers", () => {
    expect(parseSpf("v=spf1 ~include:_spf.Example.net a:mail.acme.com/24 ip4:192.0.2.0/24 redirect=_spf.acme.com -all")?.terms).toEqual([
      { text: "~include:_spf.Example.net", kind: "mechanism", qualifier: "~", name: "include", value: "_spf.Example.net" },
      { text: "a:mail.acme.com/24", kind: "mechanism", qualifier: "+", name: "a", value: "mail.acme.com" },
      { text: "ip4:192.0.2.0/24", kind: "mechanism", qualifier: "+", name: "ip4", value: "192.0.2.0" },
      { text: "redirect=_spf.acme.com", kind: "modifier", qualifier: "", name: "redirect", value: "_spf.acme.com" },
      { text: "-all", kind: "mechanism", qualifier: "-", name: "all", value: "" },
    ]);
  });

  it("finds a passing include anywhere in the record", () => {
    expect(spfIncludes("v=spf1 ip4:192.0.2.1 include:_SPF.example.net. ~all", "_spf.example.net")).toBe(true);
    expect(spfIncludes("v=spf1 -include:_spf.example.net ~all", "_spf.example.net")).toBe(false);
    expect(spfIncludes("v=spf1 include:_spf.example.org ~all", "_spf.example.net")).toBe(false);
    expect(spfIncludeAfterAll("v=spf1 -all include:_spf.example.net", "_spf.example.net")).toBe(true);
  });

  it("merges several records into one suggestion with our include", () => {
    expect(mergeSpfRecords(["v=spf1 include:_spf.google.com ~all", "v=spf1 ip4:192.0.2.1 include:_spf.google.com -all"], "_spf.example.net")).toBe(
      "v=spf1 include:_spf.google.com ip4:192.0.2.1 include:_spf.example.net ~all",
    );
    // Our include with another qualifier becomes a passing one in its place, never a second one after it.
    expect(mergeSpfRecords(["v=spf1 ?include:_spf.example.net mx -all"], "_spf.example.net")).toBe("v=spf1 include:_spf.example.net mx -all");
  });
});

describe("countSpfLookups", () => {
  it("counts include, a, mx, ptr, exists and redirect recursively", async () => {
    const zone = {
      "_spf.example.net": ["v=spf1 include:_a.example.net include:_b.example.net -all"],
      "_a.example.net": ["v=spf1 a mx ip4:192.0.2.0/24 -all"],
      "_b.example.net": ["v=spf1 exists:%{i}.x.example.net ptr -all"],
    };
    const count = await countSpfLookups("v=spf1 include:_spf.example.net a:mail.acme.com ip4:198.51.100.1 ~all", fetcherFrom(zone));
    // include(1) + _a(1+2) + _b(1+2) = 7 for the include, plus a:mail = 8.
    expect(count.lookups).toBe(8);
    expect(count.complete).toBe(true);
    expect(count.contributors).toEqual([
      { term: "include:_spf.example.net", lookups: 7 },
      { term: "a:mail.acme.com", lookups: 1 },
    ]);
  });

  it("follows redirect only when there is no all mechanism", async () => {
    const zone = { "_spf.acme.com": ["v=spf1 mx a -all"] };
    expect((await countSpfLookups("v=spf1 redirect=_spf.acme.com", fetcherFrom(zone))).lookups).toBe(3);
    expect((await countSpfLookups("v=spf1 -all redirect=_spf.acme.com", fetcherFrom(zone))).lookups).toBe(0);
  });

  it("reports more than ten lookups with the biggest contributors first", async () => {
    const zone = {
      "big.example": ["v=spf1 a mx a:1.x mx:2.x a:3.x mx:4.x -all"],
      "small.example": ["v=spf1 a -all"],
    };
    const count = await countSpfLookups("v=spf1 include:small.example include:big.example mx a ~all", fetcherFrom(zone));
    expect(count.lookups).toBe(11);
    expect(count.contributors[0]).toEqual({ term: "include:big.example", lookups: 7 });
  });

  it("stops on loops and missing records, and stays within its bounds", async () => {
    const calls: string[] = [];
    const zone = { "a.example": ["v=spf1 include:b.example -all"], "b.example": ["v=spf1 include:a.example -all"] };
    const loop = await countSpfLookups("v=spf1 include:a.example -all", fetcherFrom(zone, calls), { origin: "acme.com" });
    expect(loop.complete).toBe(false);
    expect(loop.problems.join(" ")).toMatch(/loops back to a\.example/);
    expect(calls).toEqual(["a.example", "b.example"]);

    const missing = await countSpfLookups("v=spf1 include:nothing.example -all", fetcherFrom({}));
    expect(missing.lookups).toBe(1);
    expect(missing.problems).toEqual(["include:nothing.example: nothing.example has no SPF record"]);

    const deep: Record<string, string[]> = {};
    for (let i = 0; i < 30; i += 1) deep[`d${i}.example`] = [`v=spf1 include:d${i + 1}.example -all`];
    const bounded = await countSpfLookups("v=spf1 include:d0.example -all", fetcherFrom(deep), { maxDepth: 5 });
    expect(bounded.complete).toBe(false);
    expect(bounded.lookups).toBe(6);
  });

  it("treats fetch errors as incomplete counts, never as exceptions", async () => {
    const count = await countSpfLookups("v=spf1 include:x.example -all", async () => {
      throw new Error("boom");
    });
    expect(count).toMatchObject({ lookups: 1, complete: false, problems: ["include:x.example: boom"] });
  });
});

describe("evaluation order", () => {
  it("reads mechanisms up to the first `all`, then redirect only without `all`", () => {
    const terms = (value: string) => parseSpf(value)?.terms ?? [];
    expect(spfEvaluationOrder(terms("v=spf1 redirect=r.example a mx -all ip4:192.0.2.1"))).toEqual([1, 2, 3]);
    expect(spfEvaluationOrder(terms("v=spf1 redirect=r.example a mx"))).toEqual([1, 2, 0]);
    expect(spfEvaluationOrder(terms("v=spf1 exp=explain.example a"))).toEqual([1]);
  });

  it("does not count terms receivers never reach", async () => {
    const zone = { "big.example": ["v=spf1 a mx ptr -all"] };
    expect((await countSpfLookups("v=spf1 mx -all include:big.example a", fetcherFrom(zone))).lookups).toBe(1);
    // Inside an include, too: its terms after `all` are never evaluated.
    const nested = { "x.example": ["v=spf1 a -all include:big.example"], "big.example": ["v=spf1 a mx ptr -all"] };
    expect((await countSpfLookups("v=spf1 include:x.example ~all", fetcherFrom(nested))).lookups).toBe(2);
  });
});

describe("locateSpfInclude", () => {
  const zone = {
    "five.example": ["v=spf1 a:1.x a:2.x a:3.x a:4.x -all"],
    "_spf.ours.example": ["v=spf1 include:_a.ours.example ip4:192.0.2.0/24 ~all"],
    "_a.ours.example": ["v=spf1 ip4:198.51.100.0/24 ~all"],
    "central.example": ["v=spf1 mx include:_spf.ours.example -all"],
    "broken.example": ["not spf"],
  };
  const locate = async (value: string) => locateSpfInclude(await countSpfLookups(value, fetcherFrom(zone)), "_spf.ours.example");

  it("counts, in order, the lookups receivers make before reaching the include, and what it costs", async () => {
    expect(await locate("v=spf1 include:five.example mx include:_spf.ours.example ~all")).toMatchObject({
      found: true,
      before: 6,
      cost: 2,
      exact: true,
      path: ["include:_spf.ours.example"],
      permerrorBefore: null,
    });
  });

  it("finds it through redirect= and passing includes, not through other qualifiers or after `all`", async () => {
    expect(await locate("v=spf1 a redirect=central.example")).toMatchObject({ found: true, before: 3, path: ["redirect=central.example", "include:_spf.ours.example"] });
    expect(await locate("v=spf1 include:central.example -all")).toMatchObject({ found: true, before: 2 });
    expect(await locate("v=spf1 ~include:central.example -all")).toMatchObject({ found: false, afterAll: false });
    expect(await locate("v=spf1 -all include:_spf.ours.example")).toMatchObject({ found: false, afterAll: true });
  });

  it("notes a permanent error before it, and the ones after it", async () => {
    expect((await locate("v=spf1 include:broken.example include:_spf.ours.example ~all")).permerrorBefore).toEqual({
      term: "include:broken.example",
      problem: "include:broken.example: broken.example has no SPF record",
    });
    const after = await locate("v=spf1 include:_spf.ours.example include:broken.example ~all");
    expect(after).toMatchObject({ found: true, permerrorBefore: null, permerrorsAfter: [{ term: "include:broken.example" }] });
  });

  it("suggests the record with the include first", () => {
    expect(spfWithIncludeFirst("v=spf1 include:five.example mx include:_SPF.ours.example ~all", "_spf.ours.example")).toBe(
      "v=spf1 include:_spf.ours.example include:five.example mx ~all",
    );
  });
});

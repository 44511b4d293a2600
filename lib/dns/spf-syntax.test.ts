import { describe, expect, it } from "vitest";
import { spfSyntaxErrors, spfWithSyntaxFixed } from "./spf-syntax";

const terms = (value: string) => spfSyntaxErrors(value).map((e) => e.term);

describe("SPF syntax (RFC 7208 §12)", () => {
  it("accepts valid records, unknown modifiers and macros included", () => {
    for (const value of [
      "v=spf1 include:_spf.example.net -all",
      "v=spf1 +a -mx:mail.example.com/24 ?ip4:192.0.2.0/24 ~ip6:2001:db8::/32 a//64 mx/24//64 ptr -all",
      "v=spf1 exists:%{i}.%{d2}._spf.example.net exists:%{l1r-}.x.example.net foo=bar -all",
      "v=spf1 ip4:0.0.0.0/0 ip6:::/0 include:%{d}",
      "v=spf1 redirect=_spf.example.net exp=explain.example.net future-thing=%{c}x",
      "V=SPF1   include:_spf.example.net   -all  ",
      "v=spf1",
    ]) {
      expect(spfSyntaxErrors(value), value).toEqual([]);
    }
  });

  it("names each term receivers reject", () => {
    expect(terms("v=spf1 include:_spf.example.net inclde:foo.example ip4:999.1.1.1 -all")).toEqual(["inclde:foo.example", "ip4:999.1.1.1"]);
    expect(terms("v=spf1 ip4:192.0.2.0/33 ip6:2001:db8::/129 a/024 mx//200 -all")).toEqual(["ip4:192.0.2.0/33", "ip6:2001:db8::/129", "a/024", "mx//200"]);
    expect(terms("v=spf1 exists:%{q}.acme.com include:%{c}.acme.com include:100% -all")).toEqual(["exists:%{q}.acme.com", "include:%{c}.acme.com", "include:100%"]);
    expect(terms("v=spf1 -all exp=x.acme.com exp=y.acme.com")).toEqual(["exp=y.acme.com"]);
    expect(terms("v=spf1 redirect=a.example redirect=b.example")).toEqual(["redirect=b.example"]);
    expect(terms("v=spf1 include: include:localhost include:192.0.2.1 all:x ptr/24 + -all")).toEqual([
      "include:",
      "include:localhost",
      "include:192.0.2.1",
      "all:x",
      "ptr/24",
      "+",
    ]);
  });

  it("explains look-alike characters and misspelt mechanisms, with the term as meant", () => {
    const [dash] = spfSyntaxErrors("v=spf1 include:_spf.example.net –all");
    expect(dash).toEqual({ term: "–all", problem: expect.stringContaining("`–all` contains an en dash (U+2013) where a hyphen (-) belongs"), fix: "-all" });
    const [typo] = spfSyntaxErrors("v=spf1 inclde:_spf.example.net -all");
    expect(typo).toMatchObject({ problem: "`inclde:_spf.example.net` is not valid: `inclde` is not an SPF mechanism (did you mean `include`?)", fix: "include:_spf.example.net" });
    const [nbsp] = spfSyntaxErrors("v=spf1 include:_spf.example.net\u00a0-all");
    expect(nbsp?.fix).toBe("include:_spf.example.net -all");
    expect(spfSyntaxErrors("v=spf1 foo:bar -all")[0]?.fix).toBeNull();
  });

  it("rebuilds the record only when every error has a clear fix", () => {
    const value = "v=spf1 incldue:_spf.example.net –all";
    expect(spfWithSyntaxFixed(value, spfSyntaxErrors(value))).toBe("v=spf1 include:_spf.example.net -all");
    const broken = "v=spf1 ip4:999.1.1.1 –all";
    expect(spfWithSyntaxFixed(broken, spfSyntaxErrors(broken))).toBeNull();
  });
});

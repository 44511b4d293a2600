import { describe, expect, it } from "vitest";

import { redirectWarnings } from "@/lib/setup/types";

const none = { routedAddresses: [], otherRedirects: [] };

describe("redirectWarnings (scenarios 2 and 4)", () => {
  it("says nothing for redirects to routed addresses that are not routed themselves", () => {
    const context = { ...none, routedAddresses: ["support@help.acme.test", "sales@help.acme.test"] };
    const rules = [
      { from: "support@acme.test", to: "support@help.acme.test" },
      { from: "sales@acme.test", to: "sales@help.acme.test" },
    ];
    expect(redirectWarnings(rules, context)).toEqual([]);
  });

  it("warns when an address is both routed directly and redirected", () => {
    const context = { ...none, routedAddresses: ["support@help.acme.test", "Support@ACME.test"] };
    const warnings = redirectWarnings([{ from: "support@acme.test", to: "support@help.acme.test" }], context);
    expect(warnings).toEqual([expect.objectContaining({ kind: "overlap", address: "support@acme.test" })]);
    expect(warnings[0]!.message).toContain("would arrive twice");
  });

  it("warns when a redirect's target has no route", () => {
    const warnings = redirectWarnings([{ from: "support@acme.test", to: "support@help.acme.test" }], none);
    expect(warnings).toEqual([expect.objectContaining({ kind: "no_route", message: expect.stringContaining("support@help.acme.test, which has no route") })]);
  });

  it("warns once when two redirects would send mail round in a loop, naming the path", () => {
    const context = {
      routedAddresses: ["support@a.test", "support@b.test"],
      // Another keep-copies domain redirects b's addresses to a.
      otherRedirects: [{ from: "support@a.test", to: "support@b.test" }],
    };
    const warnings = redirectWarnings([{ from: "support@b.test", to: "support@a.test" }], context);
    const loops = warnings.filter((warning) => warning.kind === "loop");
    expect(loops).toHaveLength(1);
    expect(loops[0]!.message).toContain("support@b.test → support@a.test → support@b.test");
  });

  it("takes an original domain equal to the registered one as a loop, and compares IDNs in either form", () => {
    expect(redirectWarnings([{ from: "help@help.acme.test", to: "help@help.acme.test" }], { ...none, routedAddresses: ["help@help.acme.test"] }).map((w) => w.kind)).toEqual([
      "overlap",
      "loop",
    ]);
    const idn = { ...none, routedAddresses: ["info@xn--bcher-kva.test"] };
    expect(redirectWarnings([{ from: "info@old.test", to: "info@bücher.test" }], idn)).toEqual([]);
  });
});

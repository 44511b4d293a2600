import fc from "fast-check";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";

import { describeAction, diffAuditValues } from "@/components/audit/audit-diff";
import { checkEmailAddress, checkLocalPart } from "@/lib/routes/address";
import { joinCell, parseRoutesCsv, splitCell, toCsvLine } from "@/lib/routes/csv";
import { createRouteSchema, routeRowParser } from "@/lib/routes/schemas";
import { routeStatusFor } from "@/lib/routes/status";

import { DOCUMENTED_ROUTE_DEFAULTS } from "../support/route-defaults";

describe("local parts (RFC 5321 dot-atom)", () => {
  it("accepts every atext character and dots between atoms", () => {
    for (const ok of ["a", "first.last", "a+b", "!#$%&'*+/=?^_`{|}~-", "x".repeat(64)]) expect(checkLocalPart(ok), ok).toMatchObject({ ok: true });
  });

  it("refuses what SMTP would not carry unquoted", () => {
    for (const bad of ["", ".a", "a.", "a..b", "a b", "a@b", "a,b", "(a)", "a\"b", "é", "x".repeat(65)]) expect(checkLocalPart(bad).ok, bad).toBe(false);
  });

  it("never accepts a local part with characters outside atext and dots (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const checked = checkLocalPart(text);
        if (checked.ok) expect(checked.localPart).toMatch(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/);
      }),
    );
  });

  it("normalises the domain of a full address to lower-case ASCII", () => {
    expect(checkEmailAddress(" Support@Hilfe.Bücher.test ")).toMatchObject({ ok: true, address: "Support@hilfe.xn--bcher-kva.test", unicodeDomain: "hilfe.bücher.test" });
    expect(checkEmailAddress("support@").ok).toBe(false);
    expect(checkEmailAddress("@help.acme.test").ok).toBe(false);
  });
});

describe("the route schema", () => {
  it("fills in defaults so the wizard can send only the four required fields", () => {
    const parsed = createRouteSchema.parse({
      domainId: "00000000-0000-4000-8000-000000000001",
      pattern: " support ",
      queueId: "00000000-0000-4000-8000-000000000002",
      fromName: "Acme",
    });
    expect(parsed).toEqual({
      domainId: "00000000-0000-4000-8000-000000000001",
      pattern: "support",
      queueId: "00000000-0000-4000-8000-000000000002",
      fromName: "Acme",
      ...DOCUMENTED_ROUTE_DEFAULTS,
    });
  });
});

describe("the route schema for many rows (CSV import)", () => {
  const uuid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
  // Each field from a few good and bad values, so that rows repeat (the parser remembers what it
  // parsed) and every rule, alone and together, comes up.
  const row = fc.record({
    domainId: fc.constantFrom(uuid(1), "", "not-a-uuid"),
    pattern: fc.constantFrom("support", " Sales ", "", "a..b", "x".repeat(65), "ok\u0000", "a,b", "é"),
    queueId: fc.constantFrom(uuid(2), uuid(3), ""),
    priority: fc.constantFrom("", "3", "11", "x", 7, Number.NaN, null, undefined),
    skillIds: fc.constantFrom([], [uuid(4)], [uuid(4), uuid(4)], ["nope"]),
    languageId: fc.constantFrom(null, "", uuid(5), "nope"),
    fromName: fc.constantFrom("Acme", "", " ", "x".repeat(201), "A\nB"),
    fromEmail: fc.constantFrom("", "replies@help.acme.test", "not an address"),
    replyRouteId: fc.constantFrom(null, uuid(6)),
    autoBcc: fc.constantFrom([], ["a@acme.test"], ["a@acme.test", "A@acme.test"], ["bad"], ["a@x.test", "b@x.test", "c@x.test", "d@x.test", "e@x.test", "f@x.test"]),
    historyInclusion: fc.constantFrom("", "Include", "Sometimes"),
    allowMultipleActions: fc.constantFrom("", "true", "maybe"),
    spamQueueId: fc.constantFrom(null, uuid(2), uuid(3)),
  });

  it("answers exactly what createRouteSchema answers, row after row: values, or every issue in the same order (property)", () => {
    const parse = routeRowParser();
    fc.assert(
      fc.property(row, (input) => {
        const expected = createRouteSchema.safeParse(input);
        const actual = parse(input);
        if (expected.success) expect(actual).toEqual({ success: true, data: expected.data });
        else expect(actual).toEqual({ success: false, issues: expected.error.issues.map((issue) => ({ field: issue.path[0], message: issue.message })) });
      }),
      { numRuns: 2_000 },
    );
  });

  it("gives every row its own values, so filling in one row changes no other", () => {
    const parse = routeRowParser();
    const input = { domainId: uuid(1), queueId: uuid(2), fromName: "Acme", skillIds: [uuid(4)], autoBcc: ["a@acme.test"] };
    const first = parse({ ...input, pattern: "one" });
    const second = parse({ ...input, pattern: "two" });
    if (!first.success || !second.success) throw new Error("both rows are good");
    first.data.replyRouteId = uuid(6);
    first.data.skillIds.push(uuid(5));
    first.data.autoBcc.length = 0;
    expect(second.data).toMatchObject({ pattern: "two", replyRouteId: null, skillIds: [uuid(4)], autoBcc: ["a@acme.test"] });
  });
});

describe("route status", () => {
  it("follows the domain's status", () => {
    expect(["pending", "verified", "grace", "degraded", "failed"].map((status) => routeStatusFor(status as "pending"))).toEqual([
      "pending",
      "active",
      "active",
      "error",
      "error",
    ]);
  });
});

describe("route CSV", () => {
  it("numbers rows by the line they start on, across quoted new lines, blank lines and CRLF", () => {
    const parsed = parseRoutesCsv('\uFEFFDomain,Pattern,Queue,From Name\r\na.test,one,Q,"two\r\nlines"\r\n\r\nb.test,two,Q,N\r\n');
    expect(parsed.fileErrors).toEqual([]);
    expect(parsed.rows.map((row) => [row.line, row.values.pattern, row.values.fromName])).toEqual([
      [2, "one", "two\nlines"],
      [5, "two", "N"],
    ]);
  });

  it("takes the separator from the header, not from cells that contain other separators", () => {
    const semicolons = parseRoutesCsv("domain;pattern;queue;fromName\na.test;x;Q|R;N,M\n");
    expect(semicolons.rows[0]?.values).toEqual({ domain: "a.test", pattern: "x", queue: "Q|R", fromName: "N,M" });
    // Found by the property below: a row full of "|" once made the parser guess "|".
    const pipes = parseRoutesCsv(`domain,pattern,queue,fromName\n${toCsvLine(["'=", "'=|,|", "", ""])}\n`);
    expect(pipes.rows[0]?.values).toEqual({ domain: "'=", pattern: "'=|,|", queue: "", fromName: "" });
  });

  // Text that starts like a formula: OWASP's list, full-width forms, and apostrophes before them.
  const TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"];
  const formulaLike = fc
    .tuple(fc.string({ maxLength: 3 }).map((quotes) => "'".repeat(quotes.length)), fc.constantFrom(...TRIGGERS), fc.string({ maxLength: 12 }))
    .map(([quotes, trigger, rest]) => `${quotes}${trigger}${rest}`);

  it("writes no text cell a spreadsheet would run as a formula, in any column", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(formulaLike, fc.string({ maxLength: 12 })), { minLength: 1, maxLength: 6 }), (cells) => {
        // Read as a spreadsheet reads it: the cells as written, nothing taken off.
        const [written] = Papa.parse<string[]>(toCsvLine(cells), { delimiter: "," }).data;
        for (const cell of written ?? []) expect(cell, JSON.stringify(cells)).not.toMatch(/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/);
      }),
    );
    expect(toCsvLine(["=HYPERLINK(\"http://x\")", "-2+3", "@SUM(A1)", "+1", "\tx", "ok"])).toBe(
      `"'=HYPERLINK(""http://x"")",'-2+3,'@SUM(A1),'+1,"'\tx",ok`,
    );
  });

  it("reads back exactly what it wrote: formula guard, quotes, separators and apostrophes", () => {
    const cell = fc.oneof(fc.string({ maxLength: 20 }), formulaLike).map((text) => text.replace(/[\r\n]/g, "").trim());
    fc.assert(
      fc.property(fc.array(cell, { minLength: 4, maxLength: 4 }), (cells) => {
        if (cells.every((text) => text === "")) return; // a blank line is skipped, as a spreadsheet writes it
        const [row] = parseRoutesCsv(`domain,pattern,queue,fromName\n${toCsvLine(cells)}\n`).rows;
        expect([row?.values.domain, row?.values.pattern, row?.values.queue, row?.values.fromName]).toEqual(cells);
      }),
    );
  });

  it("keeps list values that contain the separators, backslashes or formula characters", () => {
    const value = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => text.trim() === text && text !== "");
    fc.assert(
      fc.property(fc.array(fc.oneof(value, fc.constantFrom("Sales;EU", "a|b", "C\\D", "=1+2", "x\\;y", "\\")), { maxLength: 5 }), (values) => {
        const [row] = parseRoutesCsv(`domain,pattern,queue,fromName,skills\na,b,c,d,${toCsvLine([joinCell(values)])}\n`).rows;
        expect(splitCell(row?.values.skills)).toEqual(values);
      }),
    );
    // Hand-written files keep working: ";" or "|" between values, a lone backslash is text.
    expect(splitCell("Billing; VIP|Returns")).toEqual(["Billing", "VIP", "Returns"]);
    expect(splitCell("C\\C++")).toEqual(["C\\C++"]);
  });
});

describe("audit diffs", () => {
  it("lists changed, added and removed fields in readable words", () => {
    expect(
      diffAuditValues(
        { queue: "Support", skills: ["A"], autoBcc: [], fromEmail: "x@a.test", nested: { level: 1 } },
        { queue: "Billing", skills: ["A"], autoBcc: ["b@a.test"], fromEmail: null, nested: { level: 2 } },
      ),
    ).toEqual([
      { field: "queue", label: "Queue", before: "Support", after: "Billing", kind: "changed" },
      { field: "autoBcc", label: "Auto-BCC", before: "", after: "b@a.test", kind: "added" },
      { field: "fromEmail", label: "From email", before: "x@a.test", after: "", kind: "removed" },
      { field: "nested.level", label: "Nested › Level", before: "1", after: "2", kind: "changed" },
    ]);
    expect(diffAuditValues(null, { allowMultipleActions: true })).toEqual([
      { field: "allowMultipleActions", label: "Allow multiple actions", before: "", after: "Yes", kind: "added" },
    ]);
  });

  it("names actions as an admin would say them", () => {
    expect(describeAction("route.create")).toBe("Route created");
    expect(describeAction("routes.import")).toBe("Routes imported");
    expect(describeAction("queue.rename")).toBe("Queue renamed");
    expect(describeAction("domain.dkimRotate")).toBe("Domain dkim rotate");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { describeAction, diffAuditValues } from "@/lib/audit/audit-diff";
import { checkEmailAddress, checkLocalPart } from "@/lib/routing/address";
import { fromSpreadsheetSafe, parseRoutesCsv, spreadsheetSafe, toCsvLine } from "@/lib/routing/route-csv";
import { createRouteSchema } from "@/lib/routing/route-schemas";
import { routeStatusFor } from "@/lib/routing/route-status";

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
      priority: 5,
      skillIds: [],
      languageId: null,
      fromName: "Acme",
      fromEmail: null,
      replyRouteId: null,
      autoBcc: [],
      historyInclusion: "Optional",
      allowMultipleActions: false,
      spamQueueId: null,
    });
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

  it("round-trips any trimmed text through a CSV line, formula guard included", () => {
    const cell = fc.string({ maxLength: 20 }).map((text) => text.replace(/\r/g, "").trim());
    fc.assert(
      fc.property(fc.array(fc.oneof(cell, cell.map((text) => `'=${text}`), cell.map((text) => `=${text}`)), { minLength: 4, maxLength: 4 }), (cells) => {
        if (cells.every((text) => text === "")) return; // a blank line is skipped, as a spreadsheet writes it
        const [row] = parseRoutesCsv(`domain,pattern,queue,fromName\n${toCsvLine(cells.map(spreadsheetSafe))}\n`).rows;
        const read = [row?.values.domain, row?.values.pattern, row?.values.queue, row?.values.fromName].map((text) => fromSpreadsheetSafe(text ?? ""));
        expect(read).toEqual(cells);
      }),
    );
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

import { describe, expect, it } from "vitest";

import { diffAuditValues } from "@/components/audit/audit-diff";
import { describeRelative } from "@/components/ui/local-time";
import { readRouteImport } from "@/lib/audit/types";

describe("relative times", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  it("say how long ago or ahead in the reader's language", () => {
    expect(describeRelative(now - 3_000, now, "en")).toBe("3 seconds ago");
    expect(describeRelative(now, now, "en")).toBe("1 second ago");
    expect(describeRelative(now - 5 * 60_000, now, "en")).toBe("5 minutes ago");
    expect(describeRelative(now - 86_400_000, now, "en")).toBe("yesterday");
    expect(describeRelative(now + 2 * 3_600_000, now, "en")).toBe("in 2 hours");
    expect(describeRelative(now - 5 * 60_000, now, "de")).toBe("vor 5 Minuten");
    expect(describeRelative(now - 3 * 86_400_000, now, "fr")).toBe("il y a 3 jours");
  });

  it("never put something that has happened a few seconds ahead, but do for what is due", () => {
    // A self-test that finished 6 s after the page's clock last ticked.
    expect(describeRelative(now + 6_000, now, "en")).toBe("1 second ago");
    expect(describeRelative(now + 6_000, now, "en", "future")).toBe("in 6 seconds");
    expect(describeRelative(now - 6_000, now, "en", "future")).toBe("6 seconds ago");
  });
});

describe("audit entries of an import", () => {
  it("name a domain as it is written, never split at its dots", () => {
    expect(diffAuditValues(null, { domains: { "help.acme.com": 3 } }).map((row) => row.label)).toEqual(["Domains › help.acme.com"]);
  });

  it("read both the current record and the older shape keyed by domain name", () => {
    expect(readRouteImport({ created: 2, rows: 2, domains: [{ name: "help.acme.com", count: 2 }], addresses: ["a@help.acme.com", "b@help.acme.com"] })).toEqual({
      created: 2,
      rows: 2,
      domains: [{ name: "help.acme.com", count: 2 }],
      addresses: ["a@help.acme.com", "b@help.acme.com"],
    });
    expect(readRouteImport({ created: 3, rows: 4, domains: { "corp.test": 3 } })).toEqual({ created: 3, rows: 4, domains: [{ name: "corp.test", count: 3 }], addresses: [] });
    expect(readRouteImport(null)).toBeNull();
  });
});

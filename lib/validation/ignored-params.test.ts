import { describe, expect, it } from "vitest";

import { parseMessagesQuery } from "@/lib/messages/schemas";

import { ignoredParams } from "./ignored-params";

describe("ignoredParams", () => {
  const keys = ["q", "status", "domain", "from"] as const;

  it("names each given filter the page could not apply, with the value as given", () => {
    const raw = { status: "bogus", domain: "not-a-uuid", from: "2026-02-30x", q: "billing" };
    expect(ignoredParams(raw, parseMessagesQuery(raw), keys)).toEqual([
      { key: "status", value: "bogus" },
      { key: "domain", value: "not-a-uuid" },
      { key: "from", value: "2026-02-30x" },
    ]);
  });

  it("names nothing when every filter applies or is left empty", () => {
    const raw = { status: "queued", domain: "", q: "billing", from: "2026-11-01" };
    expect(ignoredParams(raw, parseMessagesQuery(raw), keys)).toEqual([]);
  });

  it("names a repeated filter, which is never applied", () => {
    const raw = { status: ["accepted", "refused"] };
    expect(ignoredParams(raw, parseMessagesQuery(raw), keys)).toEqual([{ key: "status", value: "accepted, refused" }]);
  });
});

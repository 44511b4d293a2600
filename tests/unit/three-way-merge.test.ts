import { describe, expect, it } from "vitest";

import { changedFields, sameValue, threeWayMerge } from "@/lib/actions/merge";
import { mergeRouteEdit } from "@/lib/routes/merge";
import { createRouteSchema, type RouteValues } from "@/lib/routes/schemas";

type Entry = { name: string; description: string; enabled: boolean; tags: string[] };
const FIELDS = ["name", "description", "enabled", "tags"] as const;
const base: Entry = { name: "Support", description: "First line", enabled: true, tags: ["a"] };

describe("threeWayMerge", () => {
  it("keeps the other admin's change to a field this admin did not touch, and this admin's own change", () => {
    const theirs = { ...base, description: "Second line" };
    const mine = { ...base, name: "Help desk" };
    const outcome = threeWayMerge(base, theirs, mine, FIELDS);
    expect(outcome.merged).toEqual({ name: "Help desk", description: "Second line", enabled: true, tags: ["a"] });
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.taken).toEqual(["description"]);
  });

  it("reports a field both changed differently as a conflict and holds theirs there, never reverting it", () => {
    const theirs = { ...base, name: "Their name", enabled: false };
    const mine = { ...base, name: "My name", description: "Mine" };
    const outcome = threeWayMerge(base, theirs, mine, FIELDS);
    expect(outcome.conflicts).toEqual(["name"]);
    expect(outcome.merged).toEqual({ name: "Their name", description: "Mine", enabled: false, tags: ["a"] });
  });

  it("treats the same change made by both as no conflict", () => {
    const theirs = { ...base, enabled: false, tags: ["a", "b"] };
    const mine = { ...base, enabled: false, tags: ["a", "b"] };
    const outcome = threeWayMerge(base, theirs, mine, FIELDS);
    expect(outcome).toEqual({ merged: mine, conflicts: [], taken: [] });
  });

  it("compares arrays element by element and takes empty and null as the same 'not set'", () => {
    expect(sameValue(["a", "b"], ["a", "b"])).toBe(true);
    expect(sameValue(["a", "b"], ["b", "a"])).toBe(false);
    expect(sameValue("", null)).toBe(true);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue(0, "")).toBe(false);
    expect(sameValue(false, "")).toBe(false);
    const theirs = { ...base, tags: [] as string[] };
    expect(threeWayMerge(base, theirs, { ...base, tags: ["a", "c"] }, FIELDS).conflicts).toEqual(["tags"]);
  });

  it("changes nothing when neither side changed anything, and leaves the inputs as they were", () => {
    const mine = { ...base };
    const outcome = threeWayMerge(base, { ...base }, mine, FIELDS);
    expect(outcome).toEqual({ merged: base, conflicts: [], taken: [] });
    expect(mine).toEqual(base);
  });

  it("lists the fields that differ between two versions, in the order given", () => {
    expect(changedFields(base, { ...base, tags: ["z"], name: "X" }, FIELDS)).toEqual(["name", "tags"]);
  });
});

describe("mergeRouteEdit", () => {
  const ids = {
    domain: "0b6f8f6e-3c1c-4f55-9a51-0d3c1f0b8a01",
    support: "0b6f8f6e-3c1c-4f55-9a51-0d3c1f0b8a02",
    billing: "0b6f8f6e-3c1c-4f55-9a51-0d3c1f0b8a03",
    skillA: "0b6f8f6e-3c1c-4f55-9a51-0d3c1f0b8a04",
    skillB: "0b6f8f6e-3c1c-4f55-9a51-0d3c1f0b8a05",
  };
  const route = (change: Record<string, unknown> = {}): RouteValues =>
    createRouteSchema.parse({ domainId: ids.domain, pattern: "support", queueId: ids.support, fromName: "Acme", ...change });

  it("does not count the order of skills as a change", () => {
    const baseRoute = route({ skillIds: [ids.skillA, ids.skillB] });
    const outcome = mergeRouteEdit(baseRoute, route({ skillIds: [ids.skillB, ids.skillA], priority: 9 }), route({ skillIds: [ids.skillA, ids.skillB], fromName: "Mine" }));
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.merged.priority).toBe(9);
    expect(outcome.merged.fromName).toBe("Mine");
  });

  it("names the route fields both admins changed", () => {
    const outcome = mergeRouteEdit(route(), route({ queueId: ids.billing, fromName: "Theirs" }), route({ queueId: ids.support, fromName: "Mine", priority: 2 }));
    expect(outcome.conflicts).toEqual(["fromName"]);
    expect(outcome.merged).toMatchObject({ queueId: ids.billing, fromName: "Theirs", priority: 2 });
  });
});

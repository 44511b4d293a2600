import { describe, expect, it } from "vitest";

import { messagesQuerySchema, recentMessagesHref } from "./schemas";

describe("recent messages links", () => {
  it("filter the Messages page to the route or queue from the day seven days back (UTC)", () => {
    const now = new Date("2026-12-01T00:30:00Z");
    const route = "0b0c8f5e-5d0e-4b8e-8d8f-0d9b8a7c6e5f";
    expect(recentMessagesHref("route", route, now)).toBe(`/messages?route=${route}&from=2026-11-24`);
    expect(recentMessagesHref("queue", route, now)).toBe(`/messages?queue=${route}&from=2026-11-24`);
    // What the page reads back from that link.
    const query = messagesQuerySchema.parse(Object.fromEntries(new URL(recentMessagesHref("route", route, now), "http://x").searchParams));
    expect(query).toMatchObject({ route, from: "2026-11-24" });
  });
});

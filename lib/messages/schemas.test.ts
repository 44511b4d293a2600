import { describe, expect, it } from "vitest";

import { MESSAGE_SEARCH_MAX_LENGTH, messagesQuerySchema, recentMessagesHref } from "./schemas";

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

describe("the search text", () => {
  it("keeps a whole pasted subject, and cuts a longer one to that length instead of dropping it", () => {
    const subject = `VeryLongSubject ${Array.from({ length: 30 }, (_, index) => `word${String(index).padStart(4, "0")}`).join(" ")}`;
    expect(subject.length).toBeGreaterThan(200);
    expect(messagesQuerySchema.parse({ q: subject }).q).toBe(subject);
    expect(messagesQuerySchema.parse({ q: "z".repeat(1_500) }).q).toBe("z".repeat(MESSAGE_SEARCH_MAX_LENGTH));
    expect(messagesQuerySchema.parse({ q: "  " }).q).toBeUndefined();
    expect(messagesQuerySchema.parse({ q: "bad\u0000text" }).q).toBeUndefined();
  });
});

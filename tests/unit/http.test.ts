import { describe, expect, it } from "vitest";

import { resolveClientAddress } from "@/lib/http/client-address";
import { safeCallbackPath } from "@/lib/http/safe-redirect";

describe("client address", () => {
  it("uses the socket peer unless a proxy is trusted", () => {
    expect(resolveClientAddress("::ffff:203.0.113.7", "198.51.100.1", false)).toBe("203.0.113.7");
    expect(resolveClientAddress("10.0.0.2", "198.51.100.1, 10.0.0.2", true)).toBe("198.51.100.1");
    expect(resolveClientAddress(undefined, undefined, true)).toBe("unknown");
  });
});

describe("sign-in callback", () => {
  it("only returns to paths on this site", () => {
    expect(safeCallbackPath("/queues?tab=1")).toBe("/queues?tab=1");
    expect(safeCallbackPath("https://evil.example/")).toBe("/");
    expect(safeCallbackPath("//evil.example")).toBe("/");
    expect(safeCallbackPath("/\\evil.example")).toBe("/");
    expect(safeCallbackPath("/signin?callbackUrl=/x")).toBe("/");
    expect(safeCallbackPath(undefined)).toBe("/");
    expect(safeCallbackPath(["/domains", "/x"])).toBe("/domains");
  });
});

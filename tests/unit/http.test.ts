import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";

import { checkRequestBody, MAX_REQUEST_BODY_BYTES } from "@/lib/http/body-limits";
import { resolveClientAddress } from "@/lib/http/client-address";
import { readTextWithin } from "@/lib/http/read-body";
import { escapeMalformedPercents } from "@/lib/http/request-path";
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

describe("request paths", () => {
  it("makes malformed percent escapes literal and leaves every other path as it came", () => {
    expect(escapeMalformedPercents("/domains/%ZZ")).toBe("/domains/%25ZZ");
    expect(escapeMalformedPercents("/domains/a%FFb?q=%ZZ")).toBe("/domains/a%25FFb?q=%ZZ");
    expect(escapeMalformedPercents("/domains/%E2%82%AC/x%2")).toBe("/domains/%E2%82%AC/x%252");
    for (const same of ["/", "/domains/help.acme.test", "/domains/b%C3%BCcher.test?x=%ZZ", "/a%20b/c"]) expect(escapeMalformedPercents(same)).toBe(same);
  });
});

describe("request body limits", () => {
  it("refuses a declared body over the limit, and chunked bodies except where the handler counts them", () => {
    expect(checkRequestBody("/routes", { "content-length": String(MAX_REQUEST_BODY_BYTES) })).toBeNull();
    expect(checkRequestBody("/routes", { "content-length": String(MAX_REQUEST_BODY_BYTES + 1) })).toMatchObject({ status: 413 });
    expect(checkRequestBody("/api/auth/callback/credentials", { "transfer-encoding": "chunked" })).toMatchObject({ status: 411 });
    expect(checkRequestBody("/api/routes/import", { "content-length": String(5 * 1024 * 1024) })).toBeNull();
    expect(checkRequestBody("/api/routes/import", { "content-length": String(21 * 1024 * 1024) })).toMatchObject({
      status: 413,
      message: "The file is larger than 20 MB; split it into several imports. Nothing was imported.",
    });
    expect(checkRequestBody("/api/routes/import", { "transfer-encoding": "chunked" })).toBeNull();
    expect(checkRequestBody("/routes", {})).toBeNull();
  });

  it("gives server actions the same limit as the HTTP server, so the server's readable answer comes first", async () => {
    const configUrl: string = new URL("../../next.config.mjs", import.meta.url).href;
    const { default: nextConfig } = (await import(configUrl)) as { default: NextConfig };
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe(MAX_REQUEST_BODY_BYTES);
  });

  it("stops pulling a body at the limit, however long it goes on", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024).fill(97));
      },
    });
    const request = new Request("http://localhost/", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    expect(await readTextWithin(request, 64 * 1024)).toBeNull();
    expect(pulled).toBeLessThan(64 * 1024 + 64 * 1024); // the limit plus what the stream queued ahead
    expect(await readTextWithin(new Request("http://localhost/", { method: "POST", body: "a€" }), 4)).toBe("a€");
    expect(await readTextWithin(new Request("http://localhost/", { method: "POST", body: "a€b" }), 4)).toBeNull();
  });
});

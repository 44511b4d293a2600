import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

import type { NextConfig } from "next";
import { RequestCookies } from "next/dist/compiled/@edge-runtime/cookies";
import { describe, expect, it } from "vitest";

import { checkRequestBody, MAX_REQUEST_BODY_BYTES } from "@/lib/http/body-limits";
import { cookieValue } from "@/lib/auth/session-cookie";
import { dropUntrustedRequestHeaders, resolveClientAddress } from "@/lib/http/client-address";
import { acceptsGzip, answerDirectly, type DirectHandler } from "@/lib/http/direct-routes";
import { readTextWithin } from "@/lib/http/read-body";
import { isSameOriginRequest } from "@/lib/http/request-origin";
import { escapeMalformedPercents } from "@/lib/http/request-path";
import { safeCallbackPath, sameOriginPath } from "@/lib/http/safe-redirect";
import { baselineSecurityHeaders, createNonce, pageContentSecurityPolicy } from "@/lib/http/security-headers";

describe("client address", () => {
  it("uses the socket peer unless a proxy is trusted", () => {
    expect(resolveClientAddress("::ffff:203.0.113.7", "198.51.100.1", false)).toBe("203.0.113.7");
    expect(resolveClientAddress("10.0.0.2", "198.51.100.1, 10.0.0.2", true)).toBe("198.51.100.1");
    expect(resolveClientAddress(undefined, undefined, true)).toBe("unknown");
  });
});

const ORIGIN = "https://console.example.com";

describe("request headers read by the directly answered routes", () => {
  it("finds one cookie among others, exactly by name, as Next.js's cookies() reads it for pages", () => {
    const header = "theme=dark; erc.session-token=abc.def-ghi;__Secure-erc.session-token=s3cure; spaced=a%20b";
    expect(cookieValue(header, "erc.session-token")).toBe("abc.def-ghi");
    expect(cookieValue(header, "__Secure-erc.session-token")).toBe("s3cure");
    expect(cookieValue(header, "spaced")).toBe("a b");
    expect(cookieValue(header, "session-token")).toBeUndefined();
    expect(cookieValue("a=first; a=second", "a")).toBe("second");
    expect(cookieValue("a=good; a=%E0%A4%A", "a")).toBe("good");
    expect(cookieValue(null, "theme")).toBeUndefined();
    // The parser pages go through, for the same headers.
    for (const cookie of [header, "a=first; a=second", "a=good; a=%E0%A4%A", "a; a=1;;b=2", "a=1; a", "erc.session-token=abc; erc.session-token"]) {
      const next = new RequestCookies(new Headers({ cookie }));
      for (const name of ["a", "b", "spaced", "erc.session-token", "__Secure-erc.session-token"]) {
        expect(cookieValue(cookie, name), `${name} in ${cookie}`).toBe(next.get(name)?.value);
      }
    }
  });

  it("takes gzip when the client accepts it, not when it refuses it with q=0", () => {
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, GZIP;q=0.5")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("gzip;q=0, identity")).toBe(false);
    expect(acceptsGzip("gzip;q=0.000")).toBe(false);
    expect(acceptsGzip("deflate, br")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe("answering a route directly", () => {
  /** One request to a loopback server that answers with `handler` the way scripts/serve.ts does. */
  async function serve(handler: DirectHandler, headers: Record<string, string> = {}) {
    const failures: unknown[] = [];
    let fellBack = false;
    const server = http.createServer((request, response) => {
      response.setHeader("X-Content-Type-Options", "nosniff");
      response.setHeader("Cache-Control", "no-store");
      void answerDirectly(handler, request, response, { origin: "https://console.example.com", onFailure: (error) => failures.push(error) }).then((answered) => {
        if (answered) return;
        fellBack = true;
        response.end("next");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port, path: "/api/thing?q=a%20b", headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          })
          .on("error", reject);
      });
      return { ...answer, failures, fellBack };
    } finally {
      server.close();
    }
  }

  it("gives the handler the request's URL (under the configured origin) and headers, and sends its answer with a length", async () => {
    let seen: Request | undefined;
    const answer = await serve(
      async (request) => {
        seen = request;
        return Response.json({ ok: true }, { status: 201, headers: { "Cache-Control": "private", "X-Extra": "1" } });
      },
      { cookie: "a=1", "x-request-id": "r1" },
    );
    expect(seen?.url).toBe("https://console.example.com/api/thing?q=a%20b");
    expect(seen?.headers.get("cookie")).toBe("a=1");
    expect(answer).toMatchObject({ status: 201, fellBack: false, failures: [] });
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true });
    expect(answer.headers["content-length"]).toBe(String(answer.body.length));
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    // What the server set already stays, as Next.js leaves it; the handler's other headers are added.
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["x-extra"]).toBe("1");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers.vary).toBe("Accept-Encoding");
  });

  it("gzips a large answer only for a client that takes gzip, and passes every cookie on", async () => {
    const big = JSON.stringify({ rows: Array.from({ length: 100 }, (_, index) => ({ address: `agent${index}@help.example.com` })) });
    const handler: DirectHandler = async () => {
      const response = new Response(big, { headers: { "Content-Type": "application/json", "Content-Encoding": "br" } });
      response.headers.append("Set-Cookie", "a=1; Path=/");
      response.headers.append("Set-Cookie", "b=2; Path=/");
      return response;
    };
    const zipped = await serve(handler, { "accept-encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(zipped.body).toString()).toBe(big);
    expect(zipped.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    const plain = await serve(handler, { "accept-encoding": "identity" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
  });

  it("writes nothing and reports the failure when the handler throws, so Next.js can answer", async () => {
    const answer = await serve(async () => {
      throw new Error("defect");
    });
    expect(answer).toMatchObject({ status: 200, fellBack: true });
    expect(answer.body.toString()).toBe("next");
    expect(answer.failures).toEqual([new Error("defect")]);
  });
});

describe("sign-in callback", () => {
  it("returns to paths on this site", () => {
    expect(safeCallbackPath("/queues?tab=1", ORIGIN)).toBe("/queues?tab=1");
    expect(safeCallbackPath("/routes?q=a%20b#top", ORIGIN)).toBe("/routes?q=a%20b#top");
    expect(safeCallbackPath(`${ORIGIN}/domains`, ORIGIN)).toBe("/domains");
    expect(safeCallbackPath(["/domains", "/x"], ORIGIN)).toBe("/domains");
    // Re-serialised as the browser would send it, so a Location header never carries raw non-ASCII.
    expect(safeCallbackPath("/routes?q=été", ORIGIN)).toBe("/routes?q=%C3%A9t%C3%A9");
  });

  it("sends anything that would leave the site home", () => {
    const escapes = [
      "https://evil.example/",
      "http://console.example.com/", // same host, another origin
      "https://console.example.com:8443/",
      "//evil.example",
      "///evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "\\/evil.example",
      "/\t/evil.example/x", // the tab a browser drops: /%09/evil.example/x after one decoding
      "/\n/evil.example",
      "/\r\n/evil.example",
      "\t//evil.example",
      " //evil.example",
      "/\u0000/evil.example",
      "/\u007f/evil.example",
      "/\u0085/evil.example",
      "/..//evil.example",
      "/.//evil.example",
      "/a/../..//evil.example",
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "https://console.example.com@evil.example/",
      "",
    ];
    for (const value of escapes) expect(safeCallbackPath(value, ORIGIN), JSON.stringify(value)).toBe("/");
  });

  it("keeps encoded tricks as harmless paths on this site", () => {
    // Decoded once already (by the query string), what is left stays a path here.
    for (const value of ["/%09/evil.example/x", "/%2F%2Fevil.example", "/%5C%5Cevil.example", "%2F%2Fevil.example", "https:evil.example"]) {
      const path = safeCallbackPath(value, ORIGIN);
      expect(new URL(path, ORIGIN).origin, value).toBe(ORIGIN);
      expect(path.startsWith("//"), value).toBe(false);
    }
  });

  it("never returns to the sign-in page itself", () => {
    expect(safeCallbackPath("/signin?callbackUrl=/x", ORIGIN)).toBe("/");
    expect(safeCallbackPath("/signin", ORIGIN)).toBe("/");
    expect(safeCallbackPath(undefined, ORIGIN)).toBe("/");
  });

  it("gives next-auth's redirects the same answer", () => {
    expect(sameOriginPath("/\t/evil.example", ORIGIN)).toBeNull();
    expect(sameOriginPath(`${ORIGIN}/signin`, ORIGIN)).toBe("/signin");
  });
});

describe("same-origin writes", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("compares Origin with the Host the request was sent to", () => {
    expect(isSameOriginRequest(headers({ host: "console.example.com", origin: "https://console.example.com" }), false)).toBe(true);
    expect(isSameOriginRequest(headers({ host: "console.example.com", origin: "https://evil.example" }), false)).toBe(false);
    expect(isSameOriginRequest(headers({ host: "console.example.com", origin: "null" }), false)).toBe(false);
    expect(isSameOriginRequest(headers({ host: "console.example.com" }), false)).toBe(true);
  });

  it("lets X-Forwarded-Host name the host only behind a trusted proxy", () => {
    const forged = headers({ host: "console.example.com", origin: "https://evil.example", "x-forwarded-host": "evil.example" });
    expect(isSameOriginRequest(forged, false)).toBe(false);
    expect(isSameOriginRequest(forged, true)).toBe(true);
    const proxied = headers({ host: "10.0.0.5:3000", origin: "https://console.example.com", "x-forwarded-host": "console.example.com" });
    expect(isSameOriginRequest(proxied, true)).toBe(true);
    expect(isSameOriginRequest(proxied, false)).toBe(false);
  });

  it("drops forwarding headers a client sent unless a proxy is trusted, and internal ones always", () => {
    const sent = () => ({
      host: "console.example.com",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      "x-forwarded-for": "198.51.100.1",
      forwarded: "host=evil.example",
      "content-security-policy": "script-src 'nonce-known'",
      "x-erc-path": "//evil.example",
    });
    const untrusted: Record<string, string> = sent();
    dropUntrustedRequestHeaders(untrusted, false);
    expect(untrusted).toEqual({ host: "console.example.com" });
    const trusted: Record<string, string> = sent();
    dropUntrustedRequestHeaders(trusted, true);
    expect(Object.keys(trusted).sort()).toEqual(["forwarded", "host", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"]);
  });
});

describe("security headers", () => {
  it("lets only nonce-carrying scripts run on pages, and no one frame them", () => {
    const nonce = createNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(createNonce()).not.toBe(nonce);
    const policy = pageContentSecurityPolicy(nonce, { development: false });
    expect(policy).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic';`);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(pageContentSecurityPolicy(nonce, { development: true })).toContain("'unsafe-eval'");
  });

  it("asks for HSTS only when the console is reached over https", () => {
    const names = (https: boolean) => baselineSecurityHeaders({ https }).map(([name]) => name);
    expect(names(true)).toContain("Strict-Transport-Security");
    expect(names(false)).not.toContain("Strict-Transport-Security");
    expect(Object.fromEntries(baselineSecurityHeaders({ https: false }))).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    });
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

  it("lets the Automation API's plan and apply take a whole configuration, up to the import limit, and no more", () => {
    for (const path of ["/api/v1/configuration/plan", "/api/v1/configuration/apply"]) {
      expect(checkRequestBody(path, { "content-length": String(5 * 1024 * 1024) })).toBeNull();
      expect(checkRequestBody(path, { "content-length": String(21 * 1024 * 1024) })).toEqual({
        status: 413,
        message: "The configuration is larger than 20 MB; nothing was changed.",
      });
    }
    // Every other endpoint of the API keeps the small limit.
    expect(checkRequestBody("/api/v1/routes", { "content-length": String(MAX_REQUEST_BODY_BYTES + 1) })).toMatchObject({ status: 413 });
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

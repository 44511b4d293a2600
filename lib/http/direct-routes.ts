import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

/**
 * Route handlers that the console's HTTP server (scripts/serve.ts) answers itself, ahead of
 * Next.js's router (decision 032): read-only JSON that an admin waits on, where Next.js's own
 * request handling cost more than the handler's work. The handler is the very function Next.js
 * would run for the path (same gate, same answers). It is registered by instrumentation.ts from
 * inside the build, where its modules live, and found here through globalThis: the build and
 * scripts/serve.ts each load their own copy of this module. No server-only import here, for the
 * same reason as lib/runtime/shutdown.ts.
 */
export type DirectHandler = (request: Request) => Promise<Response>;

const key = Symbol.for("email-routing-console.direct-routes");
const registry = globalThis as unknown as { [key]?: ReadonlyMap<string, DirectHandler> };

/** Replaces the set of paths answered directly. */
export function registerDirectRoutes(routes: Record<string, DirectHandler>): void {
  registry[key] = new Map(Object.entries(routes));
}

/**
 * The handler answering `GET path` directly, if one is registered. Only GET: there is no body to
 * read, and writes keep Next.js's same-origin and body handling.
 */
export function directRoute(method: string | undefined, path: string): DirectHandler | undefined {
  return method === "GET" ? registry[key]?.get(path) : undefined;
}

/**
 * Bodies below this go out as they are, as Next.js does; above, gzip when the client accepts it.
 * Level 3 rather than zlib's default 6: for JSON about half the CPU, a few per cent larger.
 */
const COMPRESS_FROM_BYTES = 1024;
const GZIP = { level: 3 };

/** Whether an Accept-Encoding header takes gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((entry) => {
    const [coding = "", ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    if (coding !== "gzip" && coding !== "*") return false;
    const quality = parameters.find((parameter) => parameter.startsWith("q="));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

/** Headers the answer's own framing decides (as in Next.js's sendResponse). */
const FRAMING_HEADERS = new Set(["content-length", "content-encoding", "transfer-encoding"]);
/** Headers a handler may add to rather than leave alone when the server already set them. */
const REPEATABLE_HEADERS = new Set(["set-cookie", "www-authenticate", "proxy-authenticate", "vary"]);

/**
 * Runs `handler` for a Node request and writes its answer, copying its headers as Next.js does
 * (those the server set already, such as the security headers, are kept). Resolves false, having
 * written nothing, when the handler itself threw: route handlers answer their own errors, so this
 * is a defect, logged by `onFailure`; the caller then lets Next.js answer the request.
 */
export async function answerDirectly(
  handler: DirectHandler,
  request: IncomingMessage,
  response: ServerResponse,
  options: { origin: string; onFailure: (error: unknown) => void },
): Promise<boolean> {
  let answer: Response;
  let body: Buffer;
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (value) for (const each of value) headers.append(name, each);
    }
    answer = await handler(new Request(new URL(request.url ?? "/", options.origin), { headers }));
    body = Buffer.from(await answer.arrayBuffer());
  } catch (error) {
    options.onFailure(error);
    return false;
  }
  response.statusCode = answer.status;
  for (const cookie of answer.headers.getSetCookie()) response.appendHeader("Set-Cookie", cookie);
  answer.headers.forEach((value, name) => {
    if (name === "set-cookie" || FRAMING_HEADERS.has(name)) return;
    if (REPEATABLE_HEADERS.has(name) || response.getHeader(name) === undefined) response.appendHeader(name, value);
  });
  // Every answer may differ by encoding, whether or not this one was compressed (as Next.js says).
  response.appendHeader("Vary", "Accept-Encoding");
  if (body.length >= COMPRESS_FROM_BYTES && acceptsGzip(request.headers["accept-encoding"])) {
    body = gzipSync(body, GZIP);
    response.setHeader("Content-Encoding", "gzip");
  }
  // The whole answer at once, with its length (Next.js streams it chunked).
  response.setHeader("Content-Length", body.length);
  response.end(body);
  return true;
}

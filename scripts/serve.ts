/**
 * The console's HTTP server: Next.js behind a thin Node server that stamps each request with its
 * client address and a request id (overwriting anything a client sent under those names), drops
 * the X-Forwarded-* headers unless a reverse proxy is trusted to have written them, puts the
 * security headers on every response, and drains in-flight requests on SIGTERM. Started by scripts/start.ts; production can run it directly
 * (`npm run serve`) after `npm run build` and `npm run db:migrate`.
 *
 * Paths with malformed percent escapes are made literal (lib/http/request-path.ts), so they reach the
 * page and answer 404 rather than failing inside Next.js's router.
 * The few read-only JSON routes registered in lib/http/direct-routes.ts are answered here, by the
 * same route handler, without Next.js's router (decision 032).
 * Request bodies are limited before Next.js reads them (lib/http/body-limits.ts): a body larger than
 * any form sends is answered 413 with a sentence saying so, as plain text — which the browser side of
 * a server action shows as the error — or as JSON under /api.
 *
 * Every request is logged as one JSON line (method, path without the query, status, duration,
 * request id). On SIGTERM the server stops accepting connections while the in-process job worker
 * (started by instrumentation.ts) stops taking jobs; once in-flight requests and running jobs are
 * done — or SHUTDOWN_TIMEOUT has passed — the database pools close and the process exits.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { PROBLEM_CONTENT_TYPE, problemBody } from "../lib/api/v1/problem";
import { isSecureUrl } from "../lib/auth/session-cookie";
import { formatConfigProblems, loadConfig, publicUrl } from "../lib/config/env";
import { checkRequestBody, type BodyRefusal } from "../lib/http/body-limits";
import { answerDirectly, directRoute } from "../lib/http/direct-routes";
import { CLIENT_ADDRESS_HEADER, dropUntrustedRequestHeaders, REQUEST_ID_HEADER, resolveClientAddress } from "../lib/http/client-address";
import { escapeMalformedPercents } from "../lib/http/request-path";
import { baselineSecurityHeaders } from "../lib/http/security-headers";
import { runShutdownHooks } from "../lib/runtime/shutdown";
import { log } from "../lib/log";

const dev = process.argv.includes("--dev");
const loaded = loadConfig();
if (!loaded.ok) {
  // The same report `npm start` gives; serving with a half-valid configuration helps no one.
  console.error(formatConfigProblems(loaded.problems));
  process.exit(1);
}
const config = loaded.config;
const port = config.PORT;
const hostname = config.HOST ?? "0.0.0.0";
const trustProxy = config.TRUST_PROXY;
const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT;
const origin = publicUrl(config);
const securityHeaders = baselineSecurityHeaders({ https: isSecureUrl(origin) });

function refuseBody(response: http.ServerResponse, path: string, refusal: BodyRefusal): void {
  const api = path.startsWith("/api/");
  // The Automation API answers every failure as problem details (lib/api/v1/problem.ts).
  const automation = path.startsWith("/api/v1/");
  const body = automation
    ? JSON.stringify(problemBody(refusal.status === 413 ? "too_large" : "length_required", refusal.message))
    : api
      ? JSON.stringify({ ok: false, code: refusal.status === 413 ? "too_large" : "length_required", error: refusal.message })
      : refusal.message;
  response.writeHead(refusal.status, {
    // Exactly "text/plain": Next.js's server action client then throws an Error with this text.
    "Content-Type": automation ? PROBLEM_CONTENT_TYPE : api ? "application/json" : "text/plain",
    "Cache-Control": "no-store",
  });
  // No "Connection: close": Node reads the unwanted body and drops it (never holding it), so the
  // client gets to read this answer instead of a connection reset in the middle of its upload.
  response.end(body);
}

/** Asset fetches and healthy load-balancer probes would drown the log at info level. */
function isRoutine(path: string, status: number): boolean {
  return path.startsWith("/_next/static/") || path.startsWith("/_next/image") || path === "/favicon.ico" || (path === "/api/health" && status === 200);
}

/**
 * tsx turns Node's source maps on for the TypeScript it compiles. With them on, Node also reads and
 * parses the map of every built chunk the server loads: 80 MB of maps, about 2 s of a start and
 * memory held for as long as it runs. A production build is run without them, as `next start` runs
 * it; NODE_OPTIONS=--enable-source-maps brings them back for a stack trace in source terms.
 */
function sourceMapsWanted(): boolean {
  return dev || [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].includes("--enable-source-maps");
}

async function main() {
  if (!sourceMapsWanted()) process.setSourceMapsEnabled(false);
  const app = next({ dev, dir: process.cwd(), hostname, port });
  const handle = app.getRequestHandler();
  await app.prepare();

  const server = http.createServer((request, response) => {
    const forwardedFor = request.headers["x-forwarded-for"];
    request.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(
      request.socket.remoteAddress,
      Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor,
      trustProxy,
    );
    dropUntrustedRequestHeaders(request.headers, trustProxy);
    const incomingId = request.headers[REQUEST_ID_HEADER];
    const requestId = trustProxy && typeof incomingId === "string" && /^[\w-]{1,64}$/.test(incomingId) ? incomingId : randomUUID();
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    request.url = escapeMalformedPercents(request.url ?? "/");
    // A server action answers with a few hundred bytes of flight data: gzipping that costs more CPU
    // (a fresh zlib stream per response) than it saves on the wire (decision 027).
    if (request.method === "POST" && request.headers["next-action"] !== undefined) delete request.headers["accept-encoding"];
    // Next.js sends a response's headers on their own just before its first chunk: one more socket
    // write per request, and writes are dear here (system calls cost more than on bare metal).
    // Without it Node sends the headers with the first chunk, in the same write.
    response.flushHeaders = () => undefined;
    // Pages get their own Content-Security-Policy from proxy.ts, which replaces this one.
    for (const [name, value] of securityHeaders) response.setHeader(name, value);
    const started = performance.now();
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    response.once("close", () => {
      const entry = {
        requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Math.round(performance.now() - started),
        client: request.headers[CLIENT_ADDRESS_HEADER],
        ...(response.writableFinished ? {} : { aborted: true }),
      };
      if (isRoutine(path, response.statusCode)) log.debug(entry, "request");
      else log.info(entry, "request");
    });
    const refusal = checkRequestBody(path, request.headers);
    if (refusal) {
      refuseBody(response, path, refusal);
      return;
    }
    const direct = directRoute(request.method, path);
    if (direct) {
      const onFailure = (error: unknown) => log.error({ err: error, requestId, path }, "direct route failed; Next.js answers instead");
      answerDirectly(direct, request, response, { origin, onFailure })
        .then((answered) => (answered ? undefined : handle(request, response)))
        .catch((error: unknown) => {
          // Writing the answer failed (the client went away, or a header was refused): nothing more can be sent.
          log.warn({ err: error, requestId, path }, "answer not sent");
          response.destroy();
        });
    } else {
      void handle(request, response);
    }
  });

  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") console.error(`Error: port ${port} is already in use. Set PORT to a free port.`);
    else console.error(`Error: the web server could not listen on ${hostname}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, hostname);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down: finishing in-flight requests and running jobs");
    setTimeout(() => {
      log.error("shutdown took longer than SHUTDOWN_TIMEOUT; exiting");
      process.exit(1);
    }, shutdownTimeoutMs + 2_000).unref();
    const report = (hook: string, error: unknown) => log.error({ err: error, hook }, "shutdown step failed");
    const requestsDone = new Promise<void>((resolve) => server.close(() => resolve())); // stops accepting, waits for in-flight requests
    server.closeIdleConnections();
    void (async () => {
      await Promise.all([requestsDone, runShutdownHooks("drain", report)]);
      await runShutdownHooks("close", report);
      log.info("stopped");
      process.exit(0);
    })();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * The console's HTTP server: Next.js behind a thin Node server that stamps each request with its
 * client address and a request id (overwriting anything a client sent under those names), drops
 * the X-Forwarded-* headers unless a reverse proxy is trusted to have written them, puts the
 * security headers on every response, and drains in-flight requests on SIGTERM. Started by scripts/start.ts; production can run it directly
 * (`npm run serve`) after `npm run build` and `npm run db:migrate`.
 *
 * Every request is logged as one JSON line (method, path without the query, status, duration,
 * request id). On SIGTERM the server stops accepting connections while the in-process job worker
 * (started by instrumentation.ts) stops taking jobs; once in-flight requests and running jobs are
 * done — or SHUTDOWN_TIMEOUT has passed — the database pools close and the process exits.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { isSecureUrl } from "../lib/auth/session-cookie";
import { loadConfig, publicUrl } from "../lib/config/env";
import { CLIENT_ADDRESS_HEADER, dropUntrustedRequestHeaders, REQUEST_ID_HEADER, resolveClientAddress } from "../lib/http/client-address";
import { baselineSecurityHeaders } from "../lib/http/security-headers";
import { runShutdownHooks } from "../lib/jobs/shutdown";
import { log } from "../lib/log";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOST || "0.0.0.0";
const trustProxy = /^(1|true|yes)$/i.test(process.env.TRUST_PROXY ?? "");
const loaded = loadConfig();
const shutdownTimeoutMs = loaded.ok ? loaded.config.SHUTDOWN_TIMEOUT : 10_000;
const securityHeaders = baselineSecurityHeaders({ https: loaded.ok && isSecureUrl(publicUrl(loaded.config)) });

/** Asset fetches and healthy load-balancer probes would drown the log at info level. */
function isRoutine(path: string, status: number): boolean {
  return path.startsWith("/_next/static/") || path.startsWith("/_next/image") || path === "/favicon.ico" || (path === "/api/health" && status === 200);
}

async function main() {
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
    // Pages get their own Content-Security-Policy from proxy.ts, which replaces this one.
    for (const [name, value] of securityHeaders) response.setHeader(name, value);
    const started = performance.now();
    response.once("close", () => {
      const path = (request.url ?? "/").split("?")[0] ?? "/";
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
    void handle(request, response);
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

/**
 * The console's HTTP server: Next.js behind a thin Node server that stamps each request with its
 * client address and a request id (overwriting anything a client sent under those names), and
 * drains in-flight requests on SIGTERM. Started by scripts/start.ts; production can run it directly
 * (`npm run serve`) after `npm run build` and `npm run db:migrate`.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";

import next from "next";

import { CLIENT_ADDRESS_HEADER, REQUEST_ID_HEADER, resolveClientAddress } from "../lib/http/client-address";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOST || "0.0.0.0";
const trustProxy = /^(1|true|yes)$/i.test(process.env.TRUST_PROXY ?? "");

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
    const incomingId = request.headers[REQUEST_ID_HEADER];
    const requestId = trustProxy && typeof incomingId === "string" && /^[\w-]{1,64}$/.test(incomingId) ? incomingId : randomUUID();
    request.headers[REQUEST_ID_HEADER] = requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    void handle(request, response);
  });

  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") console.error(`Error: port ${port} is already in use. Set PORT to a free port.`);
    else console.error(`Error: the web server could not listen on ${hostname}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, hostname);

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0)); // stops accepting, waits for in-flight requests
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

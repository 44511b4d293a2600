/**
 * Runs once when Next's server starts (`npm start`, `npm run serve`, `next dev`). Starts the
 * background job worker (unless WORKER_MODE=off, docs/decisions/005) and the inbound SMTP gateway
 * (unless INBOUND_MODE=off, docs/decisions/008) inside the web instance, and registers the route
 * handlers scripts/serve.ts answers directly (lib/http/direct-routes.ts). The imports are dynamic
 * and behind the runtime check so the edge bundle never sees Node modules.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` loads this file to collect page data; a build must not touch the database.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startInProcessWorker } = await import("./lib/worker/in-process");
  startInProcessWorker();
  const { startInProcessGateway } = await import("./lib/mail/in-process");
  startInProcessGateway();
  // The routes list and its search answer ahead of Next.js's router (scripts/serve.ts, decision 032).
  // Not in development: this runs once, and edits to the handler would never be picked up.
  if (process.env.NODE_ENV === "production") {
    const { registerDirectRoutes } = await import("./lib/http/direct-routes");
    const { GET: listRoutes } = await import("./app/api/routes/route");
    registerDirectRoutes({ "/api/routes": listRoutes });
  }
}

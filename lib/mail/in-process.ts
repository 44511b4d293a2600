import "server-only";

import { inProcessConfig } from "@/lib/runtime/in-process";
import { onShutdown } from "@/lib/runtime/shutdown";
import { log } from "@/lib/log";

import { startGateway, type InboundGateway } from "./gateway";
import { inProcessGateway, setInProcessGateway, type InProcessGatewayState } from "./gateway-state";
import { configuredDatabaseUrl } from "@/lib/db/client";

/**
 * The gateway inside a web instance (INBOUND_MODE=in-process, the default), started from
 * instrumentation.ts like the job worker. It drains on SIGTERM in the same "drain" phase as the
 * worker: new connections get 421 while transactions under way finish.
 */
export function startInProcessGateway(): void {
  if (inProcessGateway()) return; // once per process (dev reloads re-run instrumentation)
  const config = inProcessConfig("inbound SMTP gateway");
  if (!config) return;
  let gateway: InboundGateway | null = null;
  let stopped = false;
  const state: InProcessGatewayState = { mode: config.INBOUND_MODE, status: () => gateway?.status() ?? null, error: null };
  setInProcessGateway(state);
  if (config.INBOUND_MODE === "off") {
    log.info("inbound SMTP runs elsewhere (INBOUND_MODE=off): start it with `npm run inbound`");
    return;
  }
  if (!configuredDatabaseUrl()) {
    state.error = "DATABASE_URL is not set";
    log.warn("inbound SMTP gateway not started: DATABASE_URL is not set");
    return;
  }
  onShutdown("inbound-gateway", "drain", async () => {
    stopped = true;
    await gateway?.stop(config.SHUTDOWN_TIMEOUT);
  });
  void (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const started = await startGateway({ config, mode: "in-process" });
        if (stopped) {
          await started.stop(1000);
          return;
        }
        gateway = started;
        state.error = null;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        state.error = code === "EADDRINUSE" ? `port ${config.INBOUND_SMTP_PORT} is already in use` : code === "EACCES" ? `no permission to listen on port ${config.INBOUND_SMTP_PORT}` : "could not start";
        const waitMs = Math.min(60_000, 2_000 * 2 ** Math.min(attempt, 5));
        log.error({ err: error, retryInMs: waitMs }, `inbound SMTP gateway could not start (${state.error}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      }
    }
  })();
}

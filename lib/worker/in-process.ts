import "server-only";

import { inProcessConfig } from "@/lib/runtime/in-process";
import { configuredDatabaseUrl, disconnectDb } from "@/lib/db/client";
import { log } from "@/lib/log";

import { stopJobClient } from "@/lib/jobs/client";
import { onShutdown } from "@/lib/runtime/shutdown";
import { startWorker, type JobWorker } from "./worker";
import { inProcessState, setInProcessState, type InProcessState } from "./worker-state";

/**
 * The worker inside a web instance (WORKER_MODE=in-process, the default), started from
 * instrumentation.ts when Next's server starts. It starts in the background — the console serves
 * pages while the database is still coming up — and keeps retrying until it is running.
 */
export function startInProcessWorker(): void {
  if (inProcessState()) return; // once per process (dev reloads re-run instrumentation)
  const config = inProcessConfig("background checks");
  if (!config) return;
  const state: InProcessState = { mode: config.WORKER_MODE, starting: config.WORKER_MODE === "in-process", stopped: false, status: null };
  setInProcessState(state);
  let worker: JobWorker | null = null;

  // Whatever the mode, the web server closes the database pools after its last request.
  onShutdown("database", "close", async () => {
    await stopJobClient();
    await disconnectDb();
  });

  if (config.WORKER_MODE === "off") {
    log.info("background checks run elsewhere (WORKER_MODE=off): start them with `npm run worker`");
    return;
  }
  if (!configuredDatabaseUrl()) {
    state.starting = false;
    log.warn("background checks not started: DATABASE_URL is not set");
    return;
  }

  onShutdown("job-worker", "drain", async () => {
    state.stopped = true;
    await worker?.stop(config.SHUTDOWN_TIMEOUT);
  });

  void (async () => {
    for (let attempt = 0; !state.stopped; attempt++) {
      try {
        const started = await startWorker({ config, mode: "in-process" });
        if (state.stopped) {
          await started.stop(1000);
          return;
        }
        worker = started;
        state.status = () => started.status();
        state.starting = false;
        return;
      } catch (error) {
        const waitMs = Math.min(60_000, 2_000 * 2 ** Math.min(attempt, 5));
        log.warn({ err: error, retryInMs: waitMs }, "job worker could not start; retrying");
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      }
    }
  })();
}

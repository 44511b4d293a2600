import type { AppConfig } from "@/lib/config/env";

import type { WorkerStatus } from "./worker";

/**
 * What the in-process worker is doing, for /api/health. On globalThis because Next bundles
 * instrumentation.ts and route handlers separately: each has its own copy of our modules.
 */
export interface InProcessState {
  mode: AppConfig["WORKER_MODE"];
  starting: boolean;
  stopped: boolean;
  status: (() => WorkerStatus) | null;
}

const stateKey = Symbol.for("email-routing-console.in-process-worker");
const slot = globalThis as unknown as { [stateKey]?: InProcessState };

export function inProcessState(): InProcessState | undefined {
  return slot[stateKey];
}

export function setInProcessState(state: InProcessState): void {
  slot[stateKey] = state;
}

export function inProcessWorkerStatus(): { mode: AppConfig["WORKER_MODE"]; status: WorkerStatus | null; starting: boolean } | null {
  const state = slot[stateKey];
  if (!state) return null;
  return { mode: state.mode, status: state.status?.() ?? null, starting: state.starting };
}

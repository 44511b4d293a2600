import type { AppConfig } from "@/lib/config/env";

/**
 * What the in-process gateway is doing, for /api/health. On globalThis because Next bundles
 * instrumentation.ts and route handlers separately (each has its own copy of our modules).
 */
export type GatewayState = "starting" | "listening" | "draining" | "stopped" | "failed";

export interface GatewayStatus {
  id: string;
  state: GatewayState;
  port: number | null;
  startedAt: Date;
  lastHeartbeatAt: Date | null;
}

export interface InProcessGatewayState {
  mode: AppConfig["INBOUND_MODE"];
  status: () => GatewayStatus | null;
  /** Why it is not listening, in a fixed phrase (port in use, invalid certificate…). */
  error: string | null;
}

const stateKey = Symbol.for("email-routing-console.in-process-gateway");
const slot = globalThis as unknown as { [stateKey]?: InProcessGatewayState };

export function inProcessGateway(): InProcessGatewayState | undefined {
  return slot[stateKey];
}

export function setInProcessGateway(state: InProcessGatewayState | undefined): void {
  slot[stateKey] = state;
}

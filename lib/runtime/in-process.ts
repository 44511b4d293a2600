import "server-only";

import { getConfig, type AppConfig } from "@/lib/config/env";
import { log } from "@/lib/log";

/**
 * The configuration for a service a web instance starts beside itself (the job worker, the inbound
 * gateway), or null — logged as `<service> not started` — when it is invalid: the console keeps
 * serving its pages, and /api/health reports the service as not running.
 */
export function inProcessConfig(service: string): AppConfig | null {
  try {
    return getConfig();
  } catch (error) {
    log.error({ err: error }, `${service} not started: the configuration is invalid`);
    return null;
  }
}

import "server-only";

import type { AppConfig } from "@/lib/config/env";

import type { TargetPolicy } from "./address-guard";
import { hostResolverFrom, type HostResolver } from "./resolve";

/** What webhook functions need from configuration. */
export interface WebhookDependencies {
  secretsKey: string;
  policy: TargetPolicy;
  timeoutMs: number;
  maxAttempts: number;
  /** Wait before the second attempt; each later one waits twice as long (capped at an hour). */
  retryFirstMs: number;
  resolve: HostResolver;
}

export function webhookDependencies(config: AppConfig): WebhookDependencies {
  if (!config.SECRETS_KEY) {
    throw new Error("SECRETS_KEY is not set: webhook secrets cannot be stored. Start the console with `npm start`, or set SECRETS_KEY.");
  }
  return {
    secretsKey: config.SECRETS_KEY,
    policy: { requireHttps: config.NODE_ENV === "production", allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK },
    timeoutMs: config.WEBHOOK_TIMEOUT,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryFirstMs: config.WEBHOOK_RETRY_INTERVAL,
    resolve: hostResolverFrom(config),
  };
}

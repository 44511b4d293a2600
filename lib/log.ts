import pino from "pino";

/**
 * Structured JSON logs on stdout (one object per line), for whatever collects them. Secrets never
 * go in here: redact covers the usual suspects in case an object carries one by accident.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "email-routing-console" },
  redact: {
    paths: ["password", "*.password", "passwordHash", "*.passwordHash", "privateKey", "*.privateKey", "secret", "*.secret"],
    censor: "[redacted]",
  },
});

export type Logger = typeof log;

import { z } from "zod";

import { tryAsciiName } from "@/lib/dns/names";
import { parseServerList } from "@/lib/dns/servers";
import { mapDomainText } from "@/lib/dns/idna";
import { checkHostname, DEFAULT_RESERVED_PLATFORM_LABELS } from "@/lib/domains/hostname";

/**
 * Every environment variable the console reads, validated once. `loadConfig` returns all problems
 * at once so an operator fixes them in one go; `getConfig` caches the result for the process.
 * Documented in `.env.example` and the README's configuration table (keep the three in step).
 */

/**
 * Checks one worker runs at once. A check mostly waits for DNS (two or three round trips of tens
 * of milliseconds, then about 8 ms of CPU), so one core keeps 24 busy: over 100 checks a second
 * where DNS answers in 50 ms (bench/recheck.ts; docs/decisions/031-kept-dkim-test-message.md).
 */
export const DEFAULT_WORKER_CONCURRENCY = 24;

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const integer = (min: number, max: number) =>
  z.coerce
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` });

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value), {
    message: "must be a PostgreSQL connection URL such as postgresql://user:password@host:5432/database",
  });

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, { message: "must be an http(s) URL such as https://console.example.com" });

/** A host name, normalised (UTS #46, lower case, ASCII): the form every comparison and stored name uses. */
const hostname = z.string().transform((value, ctx) => {
  const checked = checkHostname(value);
  if (checked.ok) return checked.ascii;
  ctx.addIssue({ code: "custom", message: "must be a domain name such as mail.example.net" });
  return z.NEVER;
});

/** Comma-separated single DNS labels, normalised like the labels admins type. */
const labelList = z.string().transform((value, ctx) => {
  const labels: string[] = [];
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    const mapped = mapDomainText(entry);
    if (!mapped.ok || !/^[a-z0-9-]{1,63}$/.test(mapped.value)) {
      ctx.addIssue({ code: "custom", message: `has an invalid entry "${entry}" (expected labels such as www,mail,postmaster)` });
      return z.NEVER;
    }
    labels.push(mapped.value);
  }
  return [...new Set(labels)];
});

/** One DNS label (a DKIM selector). */
const dnsLabel = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { message: "must be one DNS label (letters, digits, hyphens)" });

const dnsName = z.string().transform((value, ctx) => {
  const result = tryAsciiName(value);
  if (result.ok && result.name.includes(".")) return result.name;
  ctx.addIssue({ code: "custom", message: "must be a DNS name such as _spf.mail.example.net" });
  return z.NEVER;
});

/** "host:preference" entries, comma-separated; preference defaults to 10. */
const mxHostList = z.string().transform((value, ctx) => {
  const hosts: { exchange: string; preference: number }[] = [];
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    const [host = "", preferenceText] = entry.split(":");
    const checked = checkHostname(host);
    const preference = preferenceText === undefined ? 10 : Number(preferenceText);
    if (!checked.ok || !Number.isInteger(preference) || preference < 0 || preference > 65535) {
      ctx.addIssue({ code: "custom", message: `has an invalid entry "${entry}" (expected host or host:preference, e.g. inbound-1.mail.example.net:10)` });
      return z.NEVER;
    }
    hosts.push({ exchange: checked.ascii, preference });
  }
  if (hosts.length === 0) {
    ctx.addIssue({ code: "custom", message: "must name at least one inbound host" });
    return z.NEVER;
  }
  return hosts;
});

const serverList = z.string().transform((value, ctx) => {
  const parsed = parseServerList(value);
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: `is not a list of host[:port] entries: ${parsed.errors.join("; ")}` });
  return z.NEVER;
});

/** "90s", "15m", "6h", "2d", "500ms": milliseconds. A bare number is refused (seconds or minutes?). */
const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const duration = (minMs: number, maxMs: number) =>
  z.string().transform((value, ctx) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(value);
    if (!match) {
      ctx.addIssue({ code: "custom", message: "must be a duration such as 90s, 15m or 6h" });
      return z.NEVER;
    }
    const ms = Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2]!.toLowerCase() as keyof typeof DURATION_UNITS_MS]);
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: "custom", message: `must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)}` });
      return z.NEVER;
    }
    return ms;
  });

/** "25MB", "512KB", "1048576": bytes. KB and MB are 1024-based, as mail servers count. */
const BYTE_UNITS = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

const byteSize = (min: number, max: number) =>
  z.string().transform((value, ctx) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb)?\s*$/i.exec(value);
    if (!match) {
      ctx.addIssue({ code: "custom", message: "must be a size such as 25MB, 512KB or a number of bytes" });
      return z.NEVER;
    }
    const bytes = Math.round(Number(match[1]) * BYTE_UNITS[(match[2] ?? "b").toLowerCase() as keyof typeof BYTE_UNITS]);
    if (bytes < min || bytes > max) {
      ctx.addIssue({ code: "custom", message: `must be between ${min} and ${max} bytes` });
      return z.NEVER;
    }
    return bytes;
  });

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const base64Key = z.string().refine((value) => Buffer.from(value, "base64").length === 32, {
  message: "must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)",
});

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: integer(1, 65535).default(3000),
    HOST: z.string().min(1).optional(),
    DATABASE_URL: postgresUrl.optional(),
    EMBEDDED_DATABASE_PORT: integer(1024, 65535).default(54320),
    DATA_DIR: z.string().min(1).default(".data"),
    NEXTAUTH_URL: httpUrl.optional(),
    NEXTAUTH_SECRET: z
      .string()
      .min(32, { message: "must be at least 32 characters (e.g. `openssl rand -base64 32`)" })
      .optional(),
    SESSION_MAX_AGE_HOURS: integer(1, 24 * 30).default(12),
    LOGIN_MAX_FAILURES: integer(1, 1000).default(10),
    LOGIN_FAILURE_WINDOW_MINUTES: integer(1, 24 * 60).default(15),
    TRUST_PROXY: booleanFlag.default(false),
    SECRETS_KEY: base64Key.optional(),
    PLATFORM_DOMAIN: hostname.default("mail.routing.example"),
    INBOUND_MX_HOSTS: mxHostList.default([
      { exchange: "inbound-1.mail.routing.example", preference: 10 },
      { exchange: "inbound-2.mail.routing.example", preference: 10 },
    ]),
    SPF_INCLUDE: dnsName.default("_spf.mail.routing.example"),
    DKIM_SELECTOR: dnsLabel.default("erc1"),
    /** How long a replaced DKIM key stays published (mail signed with it may still be on its way). */
    DKIM_RETIRING_PERIOD: duration(HOUR, 90 * DAY).default(7 * DAY),
    DMARC_REPORT_ADDRESS: z.email({ message: "must be an email address" }).default("dmarc-reports@mail.routing.example"),
    DNS_RESOLVERS: serverList.optional(),
    DNS_TIMEOUT_MS: integer(100, 30_000).default(1500),
    DNS_DEADLINE_MS: integer(500, 120_000).default(8000),
    /** Query nameservers at loopback and private addresses (on-premises DNS); by default only public ones. */
    DNS_ALLOW_PRIVATE_NAMESERVERS: booleanFlag.default(false),
    /** Tests only: the port of authoritative DNS servers (loopback fixtures cannot bind 53). */
    DNS_TEST_AUTHORITATIVE_PORT: integer(1, 65535).optional(),
    /** Platform labels no organisation may register (replaces the default list). */
    RESERVED_PLATFORM_LABELS: labelList.default([...DEFAULT_RESERVED_PLATFORM_LABELS]),
    MAX_DOMAINS_PER_ORGANIZATION: integer(1, 100_000).default(50),
    MAX_ROUTES_PER_DOMAIN: integer(1, 10_000_000).default(1000),
    /** Automation API requests per API key and minute (answered 429 beyond). */
    API_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
    SEED_DEMO_DATA: booleanFlag.optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Background checks and webhook deliveries: in this process (default) or only in `npm run worker`. */
    WORKER_MODE: z.enum(["in-process", "off"], { message: "must be in-process or off" }).default("in-process"),
    WORKER_CONCURRENCY: integer(1, 64).default(DEFAULT_WORKER_CONCURRENCY),
    CHECK_PENDING_FIRST_INTERVAL: duration(SECOND, DAY).default(MINUTE),
    CHECK_PENDING_MAX_INTERVAL: duration(SECOND, 7 * DAY).default(HOUR),
    CHECK_PENDING_TIMEOUT: duration(MINUTE, 90 * DAY).default(72 * HOUR),
    CHECK_VERIFIED_INTERVAL: duration(SECOND, 7 * DAY).default(6 * HOUR),
    CHECK_GRACE_INTERVAL: duration(SECOND, DAY).default(15 * MINUTE),
    CHECK_GRACE_PERIOD: duration(SECOND, 30 * DAY).default(6 * HOUR),
    CHECK_DEGRADED_INTERVAL: duration(SECOND, 7 * DAY).default(HOUR),
    JOB_EXPIRY: duration(SECOND, 12 * HOUR).default(MINUTE),
    JOB_MAINTENANCE_INTERVAL: duration(SECOND, HOUR).default(30 * SECOND),
    JOB_SWEEP_INTERVAL: duration(SECOND, HOUR).default(MINUTE),
    JOB_POLL_INTERVAL: duration(500, MINUTE).default(2 * SECOND),
    WORKER_HEARTBEAT_INTERVAL: duration(SECOND, 10 * MINUTE).default(15 * SECOND),
    SHUTDOWN_TIMEOUT: duration(SECOND, 5 * MINUTE).default(10 * SECOND),
    WEBHOOK_ALLOW_LOOPBACK: booleanFlag.default(false),
    WEBHOOK_TIMEOUT: duration(500, MINUTE).default(10 * SECOND),
    WEBHOOK_MAX_ATTEMPTS: integer(1, 50).default(8),
    WEBHOOK_RETRY_INTERVAL: duration(100, HOUR).default(30 * SECOND),
    /** The inbound SMTP gateway: in this process (default), or only in `npm run inbound`. */
    INBOUND_MODE: z.enum(["in-process", "off"], { message: "must be in-process or off" }).default("in-process"),
    INBOUND_SMTP_PORT: integer(1, 65535).default(2525),
    /** Interface the gateway binds; like HOST, loopback by default with the embedded database. */
    INBOUND_SMTP_HOST: z.string().min(1).optional(),
    /** The name the gateway greets with and writes in Received headers (default: the first INBOUND_MX_HOSTS entry). */
    INBOUND_HOSTNAME: hostname.optional(),
    INBOUND_TLS_CERT: z.string().min(1).optional(),
    INBOUND_TLS_KEY: z.string().min(1).optional(),
    INBOUND_MAX_MESSAGE_SIZE: byteSize(1024, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
    INBOUND_MAX_HEADER_SIZE: byteSize(1024, 64 * 1024 * 1024).default(256 * 1024),
    INBOUND_MAX_RECIPIENTS: integer(1, 10_000).default(100),
    /** Refused RCPT TO a connection may collect (without a message accepted since) before it gets 421 and is closed. */
    INBOUND_MAX_REFUSED_RECIPIENTS: integer(1, 10_000).default(20),
    INBOUND_MAX_RECEIVED_HEADERS: integer(5, 1000).default(50),
    INBOUND_RATE_CONNECTIONS_PER_MINUTE: integer(1, 1_000_000).default(300),
    INBOUND_RATE_MESSAGES_PER_MINUTE: integer(1, 1_000_000).default(600),
    INBOUND_REFUSALS_PER_MINUTE: integer(1, 100_000).default(20),
    /** Refusals stored per client (IPv6: /64) each minute whatever the domains; the rest are counted. */
    INBOUND_REFUSALS_PER_CLIENT_PER_MINUTE: integer(1, 1_000_000).default(100),
    /** Refusals stored per organisation each minute whatever the clients (and as many for refusals of no organisation's); the rest are counted. */
    INBOUND_REFUSALS_PER_ORGANIZATION_PER_MINUTE: integer(1, 1_000_000).default(600),
    INBOUND_AUTH_DEADLINE: duration(100, MINUTE).default(5 * SECOND),
    INBOUND_SOCKET_TIMEOUT: duration(SECOND, 30 * MINUTE).default(MINUTE),
    MESSAGE_RETENTION_DAYS: integer(1, 3650).default(30),
    /** Notifications and finished webhook deliveries are deleted after this many days. */
    NOTIFICATION_RETENTION_DAYS: integer(1, 3650).default(90),
    /** Traced test messages: how long a trace waits for the message at our gateway before it gives up. */
    TEST_MESSAGE_TIMEOUT: duration(SECOND, HOUR).default(3 * MINUTE),
    /** Test messages an organisation may send per hour (they are real mail to real servers). */
    TEST_MESSAGES_PER_HOUR: integer(1, 1000).default(10),
    /** Development and tests only: deliver test messages to MX hosts at loopback and private addresses. */
    TEST_MESSAGE_ALLOW_PRIVATE_TARGETS: booleanFlag.default(false),
    /** How long a test message waits for a mail server's greeting and each reply (and to connect). */
    TEST_MESSAGE_SMTP_TIMEOUT: duration(SECOND, 10 * MINUTE).default(30 * SECOND),
    /** Tests and development only: the SMTP port of every MX host (loopback fixtures cannot bind 25). */
    TEST_MESSAGE_SMTP_PORT: integer(1, 65535).optional(),
    /** A PEM private key (file path): test messages are DKIM-signed with it for PLATFORM_DOMAIN, so they pass DMARC through a redirect. */
    TEST_MESSAGE_DKIM_KEY: z.string().min(1).optional(),
    /** Where its public key is published: <selector>._domainkey.<PLATFORM_DOMAIN>. */
    TEST_MESSAGE_DKIM_SELECTOR: dnsLabel.default("erc-test"),
  })
  .superRefine((env, ctx) => {
    // pg-boss hands a job to another worker once it has been active this long: a healthy check or
    // delivery must always finish sooner, or it would run twice.
    const longestJob = Math.max(env.DNS_DEADLINE_MS, env.WEBHOOK_TIMEOUT) + 2 * SECOND;
    if (env.JOB_EXPIRY < longestJob) {
      ctx.addIssue({
        code: "custom",
        path: ["JOB_EXPIRY"],
        message: `must be at least ${formatDuration(longestJob)} (DNS_DEADLINE_MS or WEBHOOK_TIMEOUT plus 2s), or running jobs would be retried elsewhere while still running`,
      });
    }
    if ((env.INBOUND_TLS_CERT === undefined) !== (env.INBOUND_TLS_KEY === undefined)) {
      ctx.addIssue({ code: "custom", path: [env.INBOUND_TLS_CERT ? "INBOUND_TLS_KEY" : "INBOUND_TLS_CERT"], message: "must be set together with INBOUND_TLS_CERT / INBOUND_TLS_KEY (the certificate and its private key)" });
    }
    if (env.INBOUND_MAX_HEADER_SIZE > env.INBOUND_MAX_MESSAGE_SIZE) {
      ctx.addIssue({ code: "custom", path: ["INBOUND_MAX_HEADER_SIZE"], message: "must not be larger than INBOUND_MAX_MESSAGE_SIZE" });
    }
    if (env.CHECK_PENDING_MAX_INTERVAL < env.CHECK_PENDING_FIRST_INTERVAL) {
      ctx.addIssue({ code: "custom", path: ["CHECK_PENDING_MAX_INTERVAL"], message: "must not be shorter than CHECK_PENDING_FIRST_INTERVAL" });
    }
    if (env.NODE_ENV === "production" && !env.SECRETS_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_KEY"],
        message: "is required in production: it encrypts DKIM private keys (`npm start` generates a local one with the embedded database)",
      });
    }
    if (env.NODE_ENV === "production" && !env.NEXTAUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["NEXTAUTH_SECRET"],
        message:
          "is required in production (`npm start` generates a local one in the data directory when it runs the embedded database)",
      });
    }
  });

export type AppConfig = z.infer<typeof envSchema>;

export type ConfigResult =
  | { ok: true; config: AppConfig }
  | { ok: false; problems: { variable: string; message: string }[] };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  // Empty strings are how shells and .env files say "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "environment"),
      message: issue.message,
    })),
  };
}

export function formatConfigProblems(problems: { variable: string; message: string }[]): string {
  const lines = problems.map((problem) => `  - ${problem.variable} ${problem.message}`);
  return ["The console cannot start: some environment variables are not valid.", ...lines].join("\n");
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(formatConfigProblems(problems));
    this.name = "ConfigError";
  }
}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const result = loadConfig();
  if (!result.ok) throw new ConfigError(result.problems);
  cached = result.config;
  return cached;
}

/** The URL the console is reached at, for next-auth and printed sign-in details. */
export function publicUrl(config: AppConfig): string {
  return (config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
}

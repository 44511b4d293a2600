import { z } from "zod";

/**
 * Every environment variable the console reads, validated once. `loadConfig` returns all problems
 * at once so an operator fixes them in one go; `getConfig` caches the result for the process.
 * Documented in `.env.example` and the README's configuration table (keep the three in step).
 */

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
    SEED_DEMO_DATA: booleanFlag.optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
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

import { describe, expect, it } from "vitest";

import { formatConfigProblems, loadConfig } from "@/lib/config/env";

describe("configuration", () => {
  it("has working defaults for a local install", () => {
    const result = loadConfig({ NODE_ENV: "development" });
    expect(result).toMatchObject({ ok: true, config: { PORT: 3000, EMBEDDED_DATABASE_PORT: 54320, LOGIN_MAX_FAILURES: 10, LOGIN_FAILURE_WINDOW_MINUTES: 15 } });
  });

  it("lists every bad variable with the reason, in one message", () => {
    const result = loadConfig({
      NODE_ENV: "production",
      PORT: "eighty",
      DATABASE_URL: "mysql://nope",
      NEXTAUTH_SECRET: "short",
      TRUST_PROXY: "maybe",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const message = formatConfigProblems(result.problems);
    expect(message).toContain("PORT must be a whole number");
    expect(message).toContain("DATABASE_URL must be a PostgreSQL connection URL");
    expect(message).toContain("NEXTAUTH_SECRET must be at least 32 characters");
    expect(message).toContain("TRUST_PROXY must be true or false");
  });

  it("requires NEXTAUTH_SECRET in production", () => {
    const result = loadConfig({ NODE_ENV: "production" });
    expect(result).toMatchObject({ ok: false, problems: [{ variable: "NEXTAUTH_SECRET", message: expect.stringContaining("required in production") }] });
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ NODE_ENV: "development", PORT: "", DATABASE_URL: "" })).toMatchObject({ ok: true, config: { PORT: 3000 } });
  });
});

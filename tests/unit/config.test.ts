import { describe, expect, it } from "vitest";

import { formatConfigProblems, loadConfig } from "@/lib/config/env";
import { dnsOptionsFrom } from "@/lib/domains/dns-options";

import { configProblems } from "../support/config";

describe("configuration", () => {
  it("has working defaults for a local install", () => {
    const result = loadConfig({ NODE_ENV: "development" });
    expect(result).toMatchObject({ ok: true, config: { PORT: 3000, EMBEDDED_DATABASE_PORT: 54320, LOGIN_MAX_FAILURES: 10, LOGIN_FAILURE_WINDOW_MINUTES: 15 } });
  });

  it("lists every bad variable with the reason, in one message", () => {
    const message = formatConfigProblems(configProblems({ NODE_ENV: "production", PORT: "eighty", DATABASE_URL: "mysql://nope", NEXTAUTH_SECRET: "short", TRUST_PROXY: "maybe" }));
    expect(message).toContain("PORT must be a whole number");
    expect(message).toContain("DATABASE_URL must be a PostgreSQL connection URL");
    expect(message).toContain("NEXTAUTH_SECRET must be at least 32 characters");
    expect(message).toContain("TRUST_PROXY must be true or false");
  });

  it("requires NEXTAUTH_SECRET and SECRETS_KEY in production", () => {
    const result = loadConfig({ NODE_ENV: "production" });
    expect(result).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        { variable: "NEXTAUTH_SECRET", message: expect.stringContaining("required in production") },
        { variable: "SECRETS_KEY", message: expect.stringContaining("required in production") },
      ]),
    });
  });

  it("validates the platform and DNS settings", () => {
    const problems = configProblems({ NODE_ENV: "development", INBOUND_MX_HOSTS: "inbound-1.example.net:10, not a host", DNS_RESOLVERS: "127.0.0.1:99999", SECRETS_KEY: "dG9vLXNob3J0", PLATFORM_DOMAIN: "localhost" });
    const variables = problems.map((problem) => problem.variable);
    expect(variables).toEqual(expect.arrayContaining(["INBOUND_MX_HOSTS", "DNS_RESOLVERS", "SECRETS_KEY", "PLATFORM_DOMAIN"]));
    const parsed = loadConfig({ NODE_ENV: "development", INBOUND_MX_HOSTS: "mx1.example.net:5,mx2.example.net", DNS_RESOLVERS: "127.0.0.1:5353, [::1]" });
    expect(parsed).toMatchObject({
      ok: true,
      config: {
        INBOUND_MX_HOSTS: [{ exchange: "mx1.example.net", preference: 5 }, { exchange: "mx2.example.net", preference: 10 }],
        DNS_RESOLVERS: [{ host: "127.0.0.1", port: 5353 }, { host: "::1", port: 53 }],
      },
    });
  });

  it("queries only public nameservers unless DNS_ALLOW_PRIVATE_NAMESERVERS, and passes the choice to the DNS engine", async () => {
    const strict = loadConfig({ NODE_ENV: "development", DNS_RESOLVERS: "127.0.0.1:5353" });
    const onPremises = loadConfig({ NODE_ENV: "development", DNS_RESOLVERS: "127.0.0.1:5353", DNS_ALLOW_PRIVATE_NAMESERVERS: "true" });
    if (!strict.ok || !onPremises.ok) throw new Error("configuration rejected");
    expect(strict.config.DNS_ALLOW_PRIVATE_NAMESERVERS).toBe(false);
    expect(await dnsOptionsFrom(strict.config)).toMatchObject({ resolvers: [{ host: "127.0.0.1", port: 5353 }], allowPrivateNameservers: false });
    expect(await dnsOptionsFrom(onPremises.config)).toMatchObject({ allowPrivateNameservers: true });
    expect(loadConfig({ NODE_ENV: "development", DNS_ALLOW_PRIVATE_NAMESERVERS: "sometimes" })).toMatchObject({
      ok: false,
      problems: [{ variable: "DNS_ALLOW_PRIVATE_NAMESERVERS", message: "must be true or false" }],
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ NODE_ENV: "development", PORT: "", DATABASE_URL: "" })).toMatchObject({ ok: true, config: { PORT: 3000 } });
  });

  it("reads the inbound gateway's limits, with sizes in KB or MB", () => {
    expect(loadConfig({ NODE_ENV: "development" })).toMatchObject({
      ok: true,
      config: { INBOUND_MODE: "in-process", INBOUND_SMTP_PORT: 2525, INBOUND_MAX_MESSAGE_SIZE: 25 * 1024 * 1024, MESSAGE_RETENTION_DAYS: 30, NOTIFICATION_RETENTION_DAYS: 90 },
    });
    expect(loadConfig({ NODE_ENV: "development", INBOUND_MAX_MESSAGE_SIZE: "512KB", INBOUND_MAX_HEADER_SIZE: "2048" })).toMatchObject({
      ok: true,
      config: { INBOUND_MAX_MESSAGE_SIZE: 512 * 1024, INBOUND_MAX_HEADER_SIZE: 2048 },
    });
    const bad = configProblems({ NODE_ENV: "development", INBOUND_MAX_MESSAGE_SIZE: "lots", INBOUND_MODE: "sometimes" });
    expect(bad.map((problem) => problem.variable).sort()).toEqual(["INBOUND_MAX_MESSAGE_SIZE", "INBOUND_MODE"]);
    expect(loadConfig({ NODE_ENV: "development", INBOUND_TLS_CERT: "/tmp/cert.pem" })).toMatchObject({
      ok: false,
      problems: [{ variable: "INBOUND_TLS_KEY", message: expect.stringContaining("set together") }],
    });
  });
});

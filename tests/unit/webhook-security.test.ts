import { createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import { webhookUrlSchema } from "@/lib/notifications/schemas";
import { checkWebhookUrl, refusalFor } from "@/lib/notifications/webhooks/address-guard";
import { retryDelayMs } from "@/lib/notifications/webhooks/deliveries";
import { generateWebhookSecret, signatureHeader, verifySignature } from "@/lib/notifications/webhooks/signature";

const production = { requireHttps: true, allowLoopback: false };

describe("webhook signatures", () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ id: "d1", type: "domain.verified" });
  const now = new Date("2026-11-23T12:00:00Z");
  const timestamp = Math.floor(now.getTime() / 1000);

  it("are HMAC-SHA256 of '<timestamp>.<body>' in hex, as documented for receivers", () => {
    const header = signatureHeader(secret, body, timestamp);
    const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    expect(header).toBe(`t=${timestamp},v1=${expected}`);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });

  it("verify only the exact body, with the right secret, within five minutes", () => {
    const header = signatureHeader(secret, body, timestamp);
    expect(verifySignature(secret, header, body, { now })).toBe(true);
    expect(verifySignature(secret, header, `${body} `, { now })).toBe(false);
    expect(verifySignature(generateWebhookSecret(), header, body, { now })).toBe(false);
    expect(verifySignature(secret, header, body, { now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(verifySignature(secret, `t=${timestamp + 1},v1=${header.split("v1=")[1]}`, body, { now })).toBe(false);
    expect(verifySignature(secret, "garbage", body, { now })).toBe(false);
    expect(verifySignature(secret, null, body, { now })).toBe(false);
  });
});

describe("webhook targets", () => {
  it("refuses loopback unless WEBHOOK_ALLOW_LOOPBACK, and never private or link-local", () => {
    expect(refusalFor("127.0.0.1", production)).toMatch(/loopback/);
    expect(refusalFor("127.0.0.1", { ...production, allowLoopback: true })).toBeNull();
    expect(refusalFor("10.0.0.5", { ...production, allowLoopback: true })).toMatch(/private network address \(10\.0\.0\.5\)/);
    expect(refusalFor("169.254.169.254", { ...production, allowLoopback: true })).toMatch(/link-local/);
  });

  it("requires https in production, except to a local receiver when loopback is allowed", () => {
    expect(checkWebhookUrl("http://hooks.example.com/x", production)).toMatchObject({ ok: false, reason: expect.stringContaining("https://") });
    expect(checkWebhookUrl("https://hooks.example.com/x", production)).toMatchObject({ ok: true, hostname: "hooks.example.com" });
    expect(checkWebhookUrl("http://hooks.example.com/x", { requireHttps: false, allowLoopback: false })).toMatchObject({ ok: true });
    expect(checkWebhookUrl("http://127.0.0.1:9000/hook", { ...production, allowLoopback: true })).toMatchObject({ ok: true, hostname: "127.0.0.1" });
    expect(checkWebhookUrl("http://localhost:9000/hook", production)).toMatchObject({ ok: false, reason: expect.stringContaining("loopback") });
    expect(checkWebhookUrl("https://[::1]/hook", production)).toMatchObject({ ok: false });
    expect(checkWebhookUrl("https://169.254.169.254/latest/meta-data", production)).toMatchObject({ ok: false, reason: expect.stringContaining("link-local") });
  });

  it("refuses URLs that are not http(s) or carry credentials", () => {
    expect(checkWebhookUrl("ftp://hooks.example.com", production)).toMatchObject({ ok: false });
    expect(checkWebhookUrl("not a url", production)).toMatchObject({ ok: false, reason: expect.stringContaining("full URL") });
    expect(checkWebhookUrl("https://user:pass@hooks.example.com/", production)).toMatchObject({ ok: false, reason: expect.stringContaining("password") });
  });

  it("tells the form why a full URL of another scheme is refused, and a non-URL apart from it", () => {
    const message = (url: string) => webhookUrlSchema.safeParse(url).error?.issues[0]?.message;
    expect(message("ftp://example.com/x")).toBe("The URL must start with https:// (this one starts with ftp:).");
    expect(message("hooks.example.com/x")).toBe("Enter a full URL, such as https://hooks.example.com/email-routing.");
    expect(message("https://hooks.example.com/x")).toBeUndefined();
  });
});

describe("webhook retries", () => {
  it("wait twice as long each time, capped at an hour, spread by up to 20 %", () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => retryDelayMs(attempt, 30_000, middle) / 1000)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(retryDelayMs(1, 30_000, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, 30_000, () => 1)).toBe(36_000);
  });
});

import { afterEach, expect } from "vitest";

import type { ExpectedRecord } from "@/lib/dns/expected";
import type { Diagnosis, RecordCheck, VerificationReport } from "@/lib/dns/report";
import type { VerifyOptions } from "@/lib/dns/verify";

import { startDnsWorld, type DnsWorld, type DnsWorldOptions, type FixtureRecord } from "./dns-server";

/**
 * The world the DNS engine's own tests verify: the customer's zone acme.com, and example.net, the
 * mail provider whose inbound hosts, SPF include and DKIM key the customer points at. One home for
 * the records, so each test file says only what differs in its scenario.
 */

/** An RSA public key of the right length for a DKIM record (its content is never checked here). */
export const dkimKey = (fill: string) => `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${fill.repeat(300)}IDAQAB`;

export const ACME_SPF = "v=spf1 include:_spf.example.net ~all";

/** What the console expects acme.com to publish. */
export const expectAcme = {
  ownership: (name = "_inbound-verify.acme.com"): ExpectedRecord => ({ kind: "ownership", type: "TXT", name, value: "inbound-verify=abc123", required: true }),
  mx: (exchange = "mx1.inbound.example.net", preference = 10): ExpectedRecord => ({ kind: "mx", type: "MX", name: "acme.com", exchange, preference, required: true }),
  spf: (): ExpectedRecord => ({ kind: "spf", type: "TXT", name: "acme.com", include: "_spf.example.net", value: ACME_SPF, required: true }),
  dkim: (key: string): ExpectedRecord => ({ kind: "dkim", type: "TXT", name: "inbound1._domainkey.acme.com", value: `v=DKIM1; k=rsa; p=${key}`, required: true }),
  dmarc: (): ExpectedRecord => ({ kind: "dmarc", type: "TXT", name: "_dmarc.acme.com", value: "v=DMARC1; p=none", required: false }),
};

/** The same records as acme.com's DNS serves them when the admin published them right. */
export const publishAcme = {
  ownership: (): FixtureRecord => ({ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=abc123" }),
  mx: (exchange = "mx1.inbound.example.net", preference = 10): FixtureRecord => ({ name: "acme.com", type: "MX", data: { preference, exchange } }),
  spf: (value = ACME_SPF): FixtureRecord => ({ name: "acme.com", type: "TXT", data: value }),
  dkim: (key: string): FixtureRecord => ({ name: "inbound1._domainkey.acme.com", type: "TXT", data: `v=DKIM1; k=rsa; p=${key}` }),
};

/** example.net's records: its SPF include and its inbound hosts' addresses. */
export const exampleNet = {
  spf: (value = "v=spf1 ip4:192.0.2.0/24 ~all"): FixtureRecord => ({ name: "_spf.example.net", type: "TXT", data: value }),
  host: (name: string, address: string): FixtureRecord => ({ name: `${name}.example.net`, type: "A", data: address }),
};

/** Starts DNS worlds that are closed after each test of the file that calls this. */
export function dnsWorlds(): (options: DnsWorldOptions) => Promise<DnsWorld> {
  const worlds: DnsWorld[] = [];
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.close()));
  });
  return async (options) => {
    const w = await startDnsWorld(options);
    worlds.push(w);
    return w;
  };
}

/**
 * The engine's options against a world: its resolver, its nameservers' port, loopback nameservers
 * allowed. No server stays silent unless a test says so, so the generous default timeout only
 * matters on a loaded machine.
 */
export function worldOptions(w: Pick<DnsWorld, "resolvers" | "authoritativePort">, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { resolvers: w.resolvers, authoritativePort: w.authoritativePort, allowPrivateNameservers: true, timeoutMs: 1000, retries: 1, ...extra };
}

export function onlyCheck(report: Pick<VerificationReport, "checks">): RecordCheck {
  const check = report.checks[0];
  if (!check) throw new Error("no check");
  return check;
}

/** The check's diagnosis with this code; fails with every diagnosis it has when there is none. */
export function diagnosis(check: RecordCheck, code: Diagnosis["code"]): Diagnosis {
  const found = check.diagnoses.find((d) => d.code === code);
  if (!found) throw new Error(`no ${code} diagnosis; got ${check.diagnoses.map((d) => `${d.code}: ${d.message}`).join(" | ")}`);
  return found;
}

/** The check failed, with the diagnosis `code` as an error whose message is as `message` says (a string, or an asymmetric matcher). */
export function expectFailedWith(check: RecordCheck, code: Diagnosis["code"], message: unknown): void {
  expect(check.verdict).toBe("failed");
  expect(diagnosis(check, code)).toMatchObject({ severity: "error", message });
}

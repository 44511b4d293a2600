import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

import { seedDemoData } from "@/lib/accounts/demo-seed";
import { getConfig } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import type { DiagnosisCode, ExpectedRecord } from "@/lib/dns";
import { registerDomain } from "@/lib/domains/registration";
import { expectedFromStored } from "@/lib/domains/expected-records";
import { platformSettings } from "@/lib/domains/settings";
import { dnsCheck, type DnsCheckJson } from "@/scripts/dns-check";

import { asPublished, PLATFORM_TEST_ENV, PLATFORM_TEST_ZONE } from "../support/dns-publish";
import { expectSeveritiesMatchVerdicts } from "../support/dns-report";
import { startDnsWorld, type DnsWorld, type FixtureRecord } from "../support/dns-server";

const KEY = `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${"q".repeat(300)}IDAQAB`;
const CASES = [
  "doubled", "split", "quoted", "twospf", "heavyspf", "latespf", "afterall", "cname", "mxcname", "mxip", "competing", "servfail", "disagree", "negcache", "acme",
];

const world: DnsWorld = await startDnsWorld({
  zones: [PLATFORM_TEST_ZONE, ...CASES.map((name) => ({ origin: `${name}.test`, soa: { minimum: 600 } }))],
});
Object.assign(process.env, PLATFORM_TEST_ENV, {
  DNS_RESOLVERS: `127.0.0.1:${world.resolvers[0]!.port}`,
  DNS_TEST_AUTHORITATIVE_PORT: String(world.authoritativePort),
  // The fixture's nameservers are on loopback, which the default address policy refuses.
  DNS_ALLOW_PRIVATE_NAMESERVERS: "true",
  DNS_TIMEOUT_MS: "300",
  DNS_DEADLINE_MS: "4000",
});
afterAll(() => world.close());

const dir = await mkdtemp(path.join(os.tmpdir(), "erc-dns-check-"));
let fileCounter = 0;
async function recordsFile(content: unknown): Promise<string> {
  const file = path.join(dir, `records-${fileCounter++}.json`);
  await writeFile(file, JSON.stringify(content));
  return file;
}

async function runJson(args: string[]): Promise<{ code: number; json: DnsCheckJson }> {
  let output = "";
  const code = await dnsCheck([...args, "--json"], (text) => (output += text));
  return { code, json: JSON.parse(output) as DnsCheckJson };
}

const ownership = (domain: string): ExpectedRecord => ({ kind: "ownership", type: "TXT", name: `_email-routing.${domain}`, value: "email-routing-verification=tok123", required: true });
const mx = (domain: string, exchange = "inbound-1.platform.test"): ExpectedRecord => ({ kind: "mx", type: "MX", name: domain, exchange, preference: 10, required: true });
const spf = (domain: string): ExpectedRecord => ({ kind: "spf", type: "TXT", name: domain, include: "_spf.platform.test", value: "v=spf1 include:_spf.platform.test ~all", required: true });
const dkim = (domain: string): ExpectedRecord => ({ kind: "dkim", type: "TXT", name: `erc1._domainkey.${domain}`, value: `v=DKIM1; k=rsa; p=${KEY}`, required: true });

const TOKEN = "email-routing-verification=tok123";
const txt = (name: string, data: string | string[]): FixtureRecord => ({ name, type: "TXT", data });
const mxAt = (name: string, preference: number, exchange: string): FixtureRecord => ({ name, type: "MX", data: { preference, exchange } });
const heavySpf = (domain: string) => `v=spf1 a mx ptr exists:e.${domain} ${[1, 2, 3, 4].map((n) => `a:${n}.${domain}`).join(" ")} -all`;

type Verdict = "verified" | "failed" | "temporary_failure";
/** What `npm run dns:check` exits with for each verdict of the record checked. */
const EXIT: Record<Verdict, 0 | 1 | 2> = { verified: 0, failed: 1, temporary_failure: 2 };

/** One scenario: the record expected at `domain`, what its DNS serves, and what the check must say. */
interface Case {
  title: string;
  domain: string;
  expected: ExpectedRecord;
  published: FixtureRecord[];
  code: DiagnosisCode;
  verdict: Verdict;
  setup?: () => void;
}

const cases: Case[] = [
  { title: "the zone appended twice", domain: "help.doubled.test", expected: ownership("help.doubled.test"), code: "doubled_zone_suffix", verdict: "failed",
    published: [txt("_email-routing.help.doubled.test.doubled.test", TOKEN)] },
  { title: "a DKIM key split into 255-byte strings (fine once joined)", domain: "split.test", expected: dkim("split.test"), code: "txt_split", verdict: "verified",
    published: [txt("erc1._domainkey.split.test", [`v=DKIM1; k=rsa; p=${KEY.slice(0, 200)}`, KEY.slice(200)])] },
  { title: "quotes typed into the value", domain: "quoted.test", expected: ownership("quoted.test"), code: "txt_quoted", verdict: "failed",
    published: [txt("_email-routing.quoted.test", `"${TOKEN}"`)] },
  { title: "two SPF records", domain: "twospf.test", expected: spf("twospf.test"), code: "multiple_spf", verdict: "failed",
    published: [txt("twospf.test", "v=spf1 include:_spf.platform.test ~all"), txt("twospf.test", "v=spf1 mx -all")] },
  {
    title: "SPF over the 10-lookup limit, our include reached in time",
    domain: "heavyspf.test",
    expected: spf("heavyspf.test"),
    published: [txt("heavyspf.test", "v=spf1 include:_spf.platform.test include:a.heavyspf.test a mx ~all"), txt("a.heavyspf.test", heavySpf("heavyspf.test"))],
    code: "spf_too_many_lookups",
    verdict: "verified",
  },
  {
    title: "SPF whose lookups before our include exceed the limit",
    domain: "latespf.test",
    expected: spf("latespf.test"),
    published: [txt("latespf.test", "v=spf1 include:a.latespf.test a mx include:_spf.platform.test ~all"), txt("a.latespf.test", heavySpf("latespf.test"))],
    code: "spf_too_many_lookups",
    verdict: "failed",
  },
  { title: "our SPF include after all", domain: "afterall.test", expected: spf("afterall.test"), code: "spf_include_after_all", verdict: "failed",
    published: [txt("afterall.test", "v=spf1 mx ~all include:_spf.platform.test")] },
  { title: "a CNAME at the ownership name", domain: "cname.test", expected: ownership("cname.test"), code: "cname_at_name", verdict: "failed",
    published: [{ name: "_email-routing.cname.test", type: "CNAME", data: "verify.elsewhere.test" }] },
  {
    title: "an MX target that is a CNAME",
    domain: "mxcname.test",
    expected: mx("mxcname.test"),
    published: [mxAt("mxcname.test", 10, "mail.mxcname.test"), { name: "mail.mxcname.test", type: "CNAME", data: "inbound-1.platform.test" }],
    code: "mx_target_cname",
    verdict: "failed",
  },
  { title: "an MX target that is an IP address", domain: "mxip.test", expected: mx("mxip.test"), code: "mx_target_ip", verdict: "failed",
    published: [mxAt("mxip.test", 10, "192.0.2.25")] },
  { title: "another MX with a better preference", domain: "competing.test", expected: mx("competing.test"), code: "competing_mx", verdict: "failed",
    published: [mxAt("competing.test", 10, "inbound-1.platform.test"), mxAt("competing.test", 5, "old-mx.competing.test"), { name: "old-mx.competing.test", type: "A", data: "192.0.2.26" }] },
  {
    title: "SERVFAIL from the domain's servers",
    domain: "servfail.test",
    expected: ownership("servfail.test"),
    published: [],
    setup: () => {
      for (const server of world.authoritative) server.addRule({ name: "_email-routing.servfail.test", action: { kind: "rcode", rcode: "SERVFAIL" } });
    },
    code: "servfail",
    verdict: "temporary_failure",
  },
  { title: "authoritative servers that disagree", domain: "disagree.test", expected: ownership("disagree.test"), code: "authoritative_disagree", verdict: "failed",
    published: [txt("_email-routing.disagree.test", TOKEN)], setup: () => world.authoritative[1]!.data.remove("_email-routing.disagree.test") },
  {
    title: "a resolver still caching 'not found'",
    domain: "negcache.test",
    expected: ownership("negcache.test"),
    published: [txt("_email-routing.negcache.test", TOKEN)],
    setup: () => world.resolver.cacheNegative("_email-routing.negcache.test", { kind: "nxdomain", ttl: 900 }),
    code: "resolver_negative_cache",
    verdict: "verified",
  },
];

describe("npm run dns:check -- --records FILE", () => {
  it.each(cases.map((c) => [c.title, c] as const))("diagnoses %s", async (_title, c) => {
    world.publish(...c.published);
    c.setup?.();
    const { code, json } = await runJson(["--records", await recordsFile({ domain: c.domain, expected: [c.expected] })]);
    const check = json.checks[0]!;
    expect(check.verdict).toBe(c.verdict);
    expect(check.diagnoses.map((d) => d.code)).toContain(c.code);
    expectSeveritiesMatchVerdicts(json);
    expect(code).toBe(EXIT[c.verdict]);
    expect(json.exitCode).toBe(EXIT[c.verdict]);
    expect(json.expected).toEqual([c.expected]);
  });

  it("explains a malformed records file", async () => {
    const file = await recordsFile([{ kind: "mx", type: "TXT", name: "x..test", required: "yes" }]);
    await expect(dnsCheck(["--records", file, "x.test"], () => {})).rejects.toThrow(/records\[0\]\.type must be "MX"/);
  });
});

describe("npm run dns:check -- <domain>", async () => {
  const db = getDb();
  await seedDemoData(db);
  const acme = await db.organization.findUniqueOrThrow({ where: { slug: "acme" } });
  const domain = await registerDomain(db, acme.id, { kind: "custom", scenario: "own_domain", domain: "help.acme.test" }, {
    settings: platformSettings(getConfig()),
    secretsKey: Buffer.alloc(32, 7).toString("base64"),
  });
  const expected = domain.records.map(expectedFromStored);

  it("fails a freshly registered domain, then verifies it once the records are published", async () => {
    const before = await runJson(["help.acme.test"]);
    expect(before.code).toBe(1);
    expect(before.json.summary).toMatchObject({ ownership: "failed", inbound: "failed", sending: "failed" });

    world.publish(...asPublished(expected));
    let table = "";
    const code = await dnsCheck(["HELP.acme.test."], (text) => (table += text));
    expect(code).toBe(0);
    expect(table).toMatch(/^ownership _email-routing\.help\.acm\S* +verified/m);
    expect(table).toContain("Summary: ownership verified, inbound verified, sending verified");
    expect(table).not.toMatch(/\bfailed\b/);
  });

  it("prints JSON that --records accepts back unchanged", async () => {
    const first = await runJson(["help.acme.test"]);
    expect(first.json.expected).toEqual(expected);
    const again = await runJson(["--records", await recordsFile(first.json)]);
    expect(again.code).toBe(first.code);
    expect(again.json.checks.map((c) => c.verdict)).toEqual(first.json.checks.map((c) => c.verdict));
  });

  it("says when a domain is not registered", async () => {
    await expect(dnsCheck(["unknown.acme.test"], () => {})).rejects.toThrow("unknown.acme.test is not registered in the console");
  });

  it("exits with the verdict's code as a process", async () => {
    const file = await recordsFile({ domain: "mxip.test", expected: [mx("mxip.test")] });
    const run = promisify(execFile);
    const result = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/dns-check.ts", "--records", file], {
      env: process.env,
    }).catch((error: { code: number; stdout: string }) => error);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stdout: string }).stdout).toMatch(/mx_target_ip|IP address 192\.0\.2\.25/);
  });
});

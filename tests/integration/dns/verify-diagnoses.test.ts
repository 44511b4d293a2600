import { describe, expect, it } from "vitest";

import type { ExpectedRecord } from "@/lib/dns/expected";
import type { VerificationReport } from "@/lib/dns/report";
import { verifyDomainRecords } from "@/lib/dns/verify";
import { diagnosis, dkimKey, dnsWorlds, exampleNet, expectAcme, expectFailedWith, onlyCheck as first, publishAcme, worldOptions } from "@/tests/support/dns-engine";
import { expectSeveritiesMatchVerdicts } from "@/tests/support/dns-report";
import type { DnsWorld, DnsWorldOptions, FixtureRecord } from "@/tests/support/dns-server";

const NOW = new Date("2030-01-01T12:00:00.000Z");
const KEY = dkimKey("k");

const ownership = expectAcme.ownership;
const mx1 = expectAcme.mx();
const mx2 = expectAcme.mx("mx2.inbound.example.net", 20);
const spf = expectAcme.spf();
const dkim = expectAcme.dkim(KEY);

const startWorld = dnsWorlds();

/** Records as an admin's DNS host serves them, for the scenarios that need several at once. */
const txt = (name: string, data: string): FixtureRecord => ({ name, type: "TXT", data });
const cname = (name: string, target: string): FixtureRecord => ({ name, type: "CNAME", data: target });
/** A mail host that exists (senders would deliver to it). */
const host = (name: string): FixtureRecord => ({ name, type: "A", data: "192.0.2.26" });

async function check(
  records: FixtureRecord[],
  expected: ExpectedRecord[],
  domain = "acme.com",
  setup?: (w: DnsWorld) => void,
  world: Partial<DnsWorldOptions> = {},
): Promise<VerificationReport> {
  const w = await startWorld({
    ...world,
    zones: [
      { origin: "acme.com", soa: { minimum: 600 } },
      {
        origin: "example.net",
        records: [
          exampleNet.spf(),
          exampleNet.host("mx1.inbound", "127.0.0.20"),
          exampleNet.host("mx2.inbound", "127.0.0.21"),
          { name: "inbound1.dkim.example.net", type: "TXT", data: `v=DKIM1; k=rsa; p=${KEY}` },
        ],
      },
    ],
  });
  w.publish(...records);
  setup?.(w);
  const report = await verifyDomainRecords({ domain, records: expected }, worldOptions(w, { timeoutMs: 250, retries: 0, now: () => NOW }));
  // Every scenario here also proves that severities match verdicts.
  expectSeveritiesMatchVerdicts(report);
  return report;
}

describe("doubled_zone_suffix", () => {
  it("finds the record where the DNS host appended the zone to a fully qualified name", async () => {
    const c = first(await check([{ name: "_inbound-verify.acme.com.acme.com", type: "TXT", data: "inbound-verify=abc123" }], [ownership()]));
    expectFailedWith(c, "doubled_zone_suffix", "Your DNS host added acme.com to the name you typed: the record is at _inbound-verify.acme.com.acme.com. Enter only `_inbound-verify` as the name (names are relative to acme.com at most DNS hosts).");
    expect(c.diagnoses.map((d) => d.code)).not.toContain("record_missing");
  });

  it("for a subdomain, names the part to type relative to the zone apex", async () => {
    const c = first(await check([{ name: "_x.help.acme.com.acme.com", type: "TXT", data: "inbound-verify=abc123" }], [ownership("_x.help.acme.com")], "help.acme.com"));
    expect(diagnosis(c, "doubled_zone_suffix").message).toBe(
      "Your DNS host added acme.com to the name you typed: the record is at _x.help.acme.com.acme.com. Enter only `_x.help` as the name (names are relative to acme.com at most DNS hosts).",
    );
  });

  it("also probes <name>.<domain> when the domain is not the zone apex", async () => {
    const c = first(await check([{ name: "_x.help.acme.com.help.acme.com", type: "TXT", data: "inbound-verify=abc123" }], [ownership("_x.help.acme.com")], "help.acme.com"));
    expect(diagnosis(c, "doubled_zone_suffix").message).toMatch(/added help\.acme\.com .* is at _x\.help\.acme\.com\.help\.acme\.com\. Enter only `_x` as the name/);
  });
});

describe("txt_split", () => {
  it("is informational when the strings of one record join to the value", async () => {
    const half = Math.floor(KEY.length / 2);
    const c = first(await check([{ name: "inbound1._domainkey.acme.com", type: "TXT", data: [`v=DKIM1; k=rsa; p=${KEY.slice(0, half)}`, KEY.slice(half)] }], [dkim]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "txt_split")).toMatchObject({ severity: "info", message: expect.stringMatching(/split into 2 strings of one TXT record; receivers join them/) });
  });

  it("is an error when the value was entered as separate records", async () => {
    const c = first(await check([txt("_inbound-verify.acme.com", "abc123"), txt("_inbound-verify.acme.com", "inbound-verify=")], [ownership()]));
    expectFailedWith(c, "txt_split", expect.stringMatching(/entered as 2 separate TXT records.*create one TXT record `_inbound-verify`/));
  });

  it("spots a DKIM key split over separate records", async () => {
    const c = first(await check([txt("inbound1._domainkey.acme.com", `v=DKIM1; k=rsa; p=${KEY.slice(0, 100)}`), txt("inbound1._domainkey.acme.com", KEY.slice(100))], [dkim]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "txt_split").severity).toBe("error");
  });

  it("is an error when strings join without the space the admin meant", async () => {
    const c = first(await check([{ name: "acme.com", type: "TXT", data: ["v=spf1 include:_spf.example.net", "~all"] }], [spf]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "txt_split").message).toMatch(/join without spaces, giving `v=spf1 include:_spf\.example\.net~all`/);
  });

  it("is the only advice for an SPF record split without a space: no suggestion keeps the garbled term", async () => {
    const c = first(await check([{ name: "acme.com", type: "TXT", data: ["v=spf1 include:_spf.example.net", "-all"] }], [spf]));
    expectFailedWith(c, "txt_split", expect.stringMatching(/giving `v=spf1 include:_spf\.example\.net-all`\. Add a space at the end of each string/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["txt_split"]);
  });
});

describe("txt_quoted", () => {
  it("fails a value with literal quotes and says to remove them", async () => {
    const c = first(await check([{ name: "_inbound-verify.acme.com", type: "TXT", data: '"inbound-verify=abc123"' }], [ownership()]));
    expectFailedWith(c, "txt_quoted", expect.stringMatching(/contains quote characters: `"inbound-verify=abc123"`.*enter only `inbound-verify=abc123`/));
  });

  it("works for SPF records too", async () => {
    const c = first(await check([{ name: "acme.com", type: "TXT", data: '"v=spf1 include:_spf.example.net ~all"' }], [spf]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "txt_quoted").severity).toBe("error");
  });
});

describe("SPF", () => {
  it("multiple_spf: fails and suggests one merged record", async () => {
    const c = first(await check([publishAcme.spf("v=spf1 include:_spf.google.com ~all"), publishAcme.spf("v=spf1 include:_spf.example.net -all")], [spf]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "multiple_spf").message).toMatch(/has 2 SPF records.*Merge them into one TXT record: `v=spf1 include:_spf\.google\.com include:_spf\.example\.net ~all`/);
  });

  it("a record without our include is failed with the corrected record", async () => {
    const c = first(await check([{ name: "acme.com", type: "TXT", data: "v=spf1 mx -all" }], [spf]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "value_mismatch").message).toMatch(/does not include include:_spf\.example\.net\. Change it to `v=spf1 mx include:_spf\.example\.net -all`/);
  });

  it("spf_too_many_lookups: counts lookups through includes and names the biggest contributors", async () => {
    const heavy: FixtureRecord[] = [
      { name: "acme.com", type: "TXT", data: "v=spf1 include:_spf.example.net include:heavy.acme.com a mx ~all" },
      { name: "heavy.acme.com", type: "TXT", data: "v=spf1 include:h1.acme.com include:h2.acme.com a:x.acme.com -all" },
      { name: "h1.acme.com", type: "TXT", data: "v=spf1 a mx ptr exists:e.acme.com -all" },
      { name: "h2.acme.com", type: "TXT", data: "v=spf1 a:1.acme.com a:2.acme.com -all" },
    ];
    const c = first(await check(heavy, [spf]));
    // Our include comes first, so receivers reach it: mail from us passes, later senders do not.
    expect(c.verdict).toBe("verified");
    const d = diagnosis(c, "spf_too_many_lookups");
    // heavy: 1 + h1(1+4) + h2(1+2) + a:x(1) = 10; _spf.example.net 1; a 1; mx 1 => 13.
    expect(d).toMatchObject({ severity: "warning", details: expect.objectContaining({ lookups: 13 }) });
    expect(d.message).toMatch(/needs 13 DNS lookups; receivers stop at the 10th.*include:heavy\.acme\.com \(10\)/);
  });
});

describe("dkim_key_tag", () => {
  const at = "inbound1._domainkey.acme.com";
  const withKey = (tags: string) => txt(at, tags.replace("<key>", KEY));

  it("fails our key when h= does not allow sha256, s= leaves out email, k= is another type or a tag repeats: receivers ignore the key", async () => {
    for (const [record, tag, message] of [
      ["v=DKIM1; h=sha1; k=rsa; p=<key>", "h", /has `h=sha1`, which does not allow sha256: we sign with rsa-sha256, so receivers ignore the key/],
      ["v=DKIM1; k=rsa; s=tlsrpt; p=<key>", "s", /has `s=tlsrpt`, which includes neither email nor \*: receivers ignore the key for mail/],
      ["v=DKIM1; k=ed25519; p=<key>", "k", /has `k=ed25519`, but the key in p= is of type rsa.*Change it to `k=rsa`/],
      ["v=DKIM1; k=rsa; p=<key>; p=MIIBother", "p", /has the tag `p=` more than once .*receivers reject the whole record/],
    ] as const) {
      const c = first(await check([withKey(record)], [dkim]));
      expectFailedWith(c, "dkim_key_tag", expect.stringMatching(message));
      expect(diagnosis(c, "dkim_key_tag").details).toMatchObject({ tag });
      // One problem, one message: no "different key" advice, no "it matches" note.
      expect(c.diagnoses.map((d) => d.code)).toEqual(["dkim_key_tag"]);
    }
  });

  it("fails testing mode (t=y): receivers treat signed mail as unsigned", async () => {
    const c = first(await check([withKey("v=DKIM1; k=rsa; t=y; p=<key>")], [dkim]));
    expectFailedWith(c, "dkim_key_tag", expect.stringMatching(/has `t=y` \(testing mode\): receivers treat mail we sign as unsigned.*Remove `t=y` when you are done testing/));
    // t=s (strict subdomain matching) alone is harmless.
    expect(first(await check([withKey("v=DKIM1; k=rsa; t=s; p=<key>")], [dkim])).verdict).toBe("verified");
  });

  it("warns when v= is not the first tag, which strict verifiers discard", async () => {
    const c = first(await check([withKey("k=rsa; v=DKIM1; p=<key>")], [dkim]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "dkim_key_tag")).toMatchObject({ severity: "warning", message: expect.stringMatching(/not as its first tag: strict receivers discard/) });
  });

  it("accepts the tags receivers use as we intend (h= with sha256, s=email or *)", async () => {
    for (const record of ["v=DKIM1; h=sha1:sha256; k=rsa; p=<key>", "v=DKIM1; k=rsa; s=email; p=<key>", "v=DKIM1; s=*; p=<key>"]) {
      const c = first(await check([withKey(record)], [dkim]));
      expect(c.verdict, record).toBe("verified");
      expect(c.diagnoses.map((d) => d.code), record).not.toContain("dkim_key_tag");
    }
  });
});

describe("dkim_multiple_keys", () => {
  it("fails our key published next to another DKIM key record, naming both: receivers may use either", async () => {
    const other = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong";
    const c = first(await check([publishAcme.dkim(KEY), txt("inbound1._domainkey.acme.com", other)], [dkim]));
    expectFailedWith(c, "dkim_multiple_keys", expect.stringMatching(/has 2 DKIM key records: ours and `v=DKIM1; k=rsa; p=MIIB[^`]*CAQEAwrong`\. Receivers may use any one of them, and our signatures fail against another key\. Delete `v=DKIM1; k=rsa; p=MIIB[^`]*CAQEAwrong` and keep only ours/));
    expect(diagnosis(c, "dkim_multiple_keys").details).toMatchObject({ others: [other] });
    expect(c.diagnoses.map((d) => d.code)).toEqual(["dkim_multiple_keys"]);
  });

  it("also fails a second copy of our key that receivers would not use (testing mode)", async () => {
    const c = first(await check([publishAcme.dkim(KEY), txt("inbound1._domainkey.acme.com", `v=DKIM1; k=rsa; t=y; p=${KEY}`)], [dkim]));
    expectFailedWith(c, "dkim_key_tag", expect.stringMatching(/has `t=y`/));
  });
});

describe("a revoked DKIM key", () => {
  it("says the empty p= revokes the key, once, not that the key differs", async () => {
    const c = first(await check([txt("inbound1._domainkey.acme.com", "v=DKIM1; k=rsa; p=")], [dkim]));
    expectFailedWith(c, "value_mismatch", expect.stringMatching(/has an empty p= tag, which revokes the key: receivers reject every signature made with it\. Replace its value with `v=DKIM1; k=rsa; p=MIIB/));
    expect(c.diagnoses.map((d) => d.message).join(" ")).not.toMatch(/different public key/);
    expect(c.diagnoses).toHaveLength(1);
  });
});

describe("dmarc_tag", () => {
  const dmarc = expectAcme.dmarc();
  const at = "_dmarc.acme.com";

  it("does not count a record whose p= receivers cannot apply, and names the tag", async () => {
    const c = first(await check([txt(at, "v=DMARC1; p=rejected; rua=mailto:dmarc@acme.com")], [dmarc]));
    expectFailedWith(c, "dmarc_tag", expect.stringMatching(/has `p=rejected`, which is not a DMARC policy \(none, quarantine or reject\): receivers treat it as `p=none`/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["dmarc_tag"]);
    const missing = first(await check([txt(at, "v=DMARC1; rua=mailto:dmarc@acme.com")], [dmarc]));
    expectFailedWith(missing, "dmarc_tag", expect.stringMatching(/has no `p=` tag: receivers treat it as `p=none`/));
  });

  it("says the version tag must be exactly DMARC1", async () => {
    const c = first(await check([txt(at, "v=dmarc1; p=none")], [dmarc]));
    expectFailedWith(c, "dmarc_tag", expect.stringMatching(/starts with `v=dmarc1`; the version tag must be exactly `v=DMARC1` \(upper case\).*Change it to `v=DMARC1; p=none`/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["dmarc_tag"]);
  });

  it("accepts every DMARC policy", async () => {
    for (const policy of ["none", "quarantine", "reject"]) {
      expect(first(await check([txt(at, `v=DMARC1; p=${policy}`)], [dmarc])).verdict).toBe("verified");
    }
  });
});

describe("dmarc_report_unauthorized", () => {
  const at = "_dmarc.acme.com";
  const authorization = "acme.com._report._dmarc.example.net";

  it("warns that aggregate reports to another domain are not sent without its authorisation record", async () => {
    const c = first(await check([txt(at, "v=DMARC1; p=none; rua=mailto:reports@example.net")], [expectAcme.dmarc()]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "dmarc_report_unauthorized")).toMatchObject({
      severity: "warning",
      message: expect.stringMatching(/sends aggregate reports \(rua=\) to example\.net, but .*no `v=DMARC1` TXT record at acme\.com\._report\._dmarc\.example\.net, so receivers will not send these reports/),
    });
    const authorized = first(await check([txt(at, "v=DMARC1; p=none; rua=mailto:reports@example.net"), txt(authorization, "v=DMARC1")], [expectAcme.dmarc()]));
    expect(authorized.diagnoses).toEqual([]);
  });

  it("leaves alone reports to the domain itself and to the address we recommend (the platform authorises that one)", async () => {
    const recommended: ExpectedRecord = { ...expectAcme.dmarc(), value: "v=DMARC1; p=none; rua=mailto:dmarc@example.net" } as ExpectedRecord;
    const c = first(await check([txt(at, "v=DMARC1; p=none; rua=mailto:dmarc@example.net,mailto:dmarc@reports.acme.com")], [recommended]));
    expect(c.verdict).toBe("verified");
    expect(c.diagnoses).toEqual([]);
  });
});

describe("cname_at_name", () => {
  it("names the CNAME target that hides the TXT record", async () => {
    const c = first(await check([{ name: "_inbound-verify.acme.com", type: "CNAME", data: "verify.provider.example" }], [ownership()]));
    expectFailedWith(c, "cname_at_name", expect.stringMatching(/_inbound-verify\.acme\.com is a CNAME for verify\.provider\.example.*Delete the CNAME at `_inbound-verify`/));
    expect(c.servers[0]).toMatchObject({ outcome: "cname" });
  });

  it("accepts DKIM delegated by CNAME when the target has the key", async () => {
    const c = first(await check([{ name: "inbound1._domainkey.acme.com", type: "CNAME", data: "inbound1.dkim.example.net" }], [dkim]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "cname_at_name").severity).toBe("info");
  });

  it("reports a CNAME loop", async () => {
    const c = first(await check([cname("_inbound-verify.acme.com", "loop.acme.com"), cname("loop.acme.com", "_inbound-verify.acme.com")], [ownership()]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "cname_at_name").message).toMatch(/loops/);
  });
});

describe("MX", () => {
  it("mx_target_cname: an MX target that is an alias", async () => {
    const c = first(await check([publishAcme.mx("mail.acme.com", 10), cname("mail.acme.com", "mx1.inbound.example.net")], [mx1]));
    expectFailedWith(c, "mx_target_cname", expect.stringMatching(/mail\.acme\.com at acme\.com is a CNAME for mx1\.inbound\.example\.net.*directly to mx1\.inbound\.example\.net/));
    // One problem, one message: the alias is why our host is "missing", with the same fix.
    expect(c.diagnoses.map((d) => d.code)).toEqual(["mx_target_cname"]);
  });

  it("mx_target_cname on another host's MX is a warning that leaves our verdict alone", async () => {
    const c = first(await check([publishAcme.mx(), publishAcme.mx("backup.acme.com", 50), cname("backup.acme.com", "relay.example.net")], [mx1]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "mx_target_cname").severity).toBe("warning");
  });

  it("mx_target_ip: an MX exchange that is an IP address", async () => {
    const c = first(await check([{ name: "acme.com", type: "MX", data: { preference: 10, exchange: "192.0.2.25" } }], [mx1]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "mx_target_ip").message).toMatch(/points to the IP address 192\.0\.2\.25.*mx1\.inbound\.example\.net \(preference 10\)/);
  });

  it("competing_mx: another host with a better preference than our best fails inbound", async () => {
    const report = await check([publishAcme.mx("old-mx.acme.com", 5), host("old-mx.acme.com"), publishAcme.mx(), publishAcme.mx("mx2.inbound.example.net", 20)], [mx1, mx2]);
    const [c1, c2] = report.checks;
    expect(c1?.verdict).toBe("failed");
    expect(c2?.verdict).toBe("failed");
    expect(report.summary.inbound).toBe("failed");
    if (!c1 || !c2) return;
    const d = diagnosis(c1, "competing_mx");
    expect(d).toMatchObject({ severity: "error", details: { competing: [{ exchange: "old-mx.acme.com", preference: 5 }], ourBestPreference: 10 } });
    expect(d.message).toMatch(/also has MX old-mx\.acme\.com with preference 5, better than 10 for our host mx1\.inbound\.example\.net: mail goes there instead of to us/);
    // mx2 at 20 is ours: it must not be reported as competing with mx1.
    expect(d.message).not.toMatch(/mx2/);
    expect(c1.diagnoses.map((x) => x.code)).toEqual(["competing_mx"]);
  });

  it("competing_mx: an equal preference shares the mail, so inbound fails too", async () => {
    const c = first(await check([publishAcme.mx(), publishAcme.mx("mail.acme.com", 10), host("mail.acme.com")], [mx1]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "competing_mx").message).toMatch(/MX mail\.acme\.com with preference 10, equal to 10 for our host mx1\.inbound\.example\.net: some mail goes there instead of to us/);
  });

  it("a backup MX with a worse preference than our best is not competing", async () => {
    const report = await check([publishAcme.mx(), publishAcme.mx("backup.acme.com", 15), publishAcme.mx("mx2.inbound.example.net", 20)], [mx1, mx2]);
    expect(report.checks.map((c) => c.verdict)).toEqual(["verified", "verified"]);
    expect(report.checks.flatMap((c) => c.diagnoses.map((d) => d.code))).not.toContain("competing_mx");
  });

  it("null_mx alone: senders bounce at once; the fix is to delete it and add ours", async () => {
    const c = first(await check([publishAcme.mx(".", 0)], [mx1]));
    expectFailedWith(c, "null_mx", expect.stringMatching(/has a null MX record \(`MX 0 \.`\), which tells every sender that it accepts no mail.*Delete it, and add an MX record with name `@`, mail server `mx1\.inbound\.example\.net` and preference 10/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["null_mx"]);
  });

  it("null_mx beside ours fails: it must stand alone; delete it, not re-prioritise it", async () => {
    const c = first(await check([publishAcme.mx(), publishAcme.mx(".", 0)], [mx1]));
    expectFailedWith(c, "null_mx", expect.stringMatching(/beside its other MX records.*must stand alone.*Delete the null MX record\.$/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["null_mx"]);
  });

  it("mx_target_suffixed: our host with the zone added to its end, and the fix names the final dot", async () => {
    const c = first(await check([publishAcme.mx("mx1.inbound.example.net.acme.com", 10)], [mx1]));
    expectFailedWith(c, "mx_target_suffixed", expect.stringMatching(/points to mx1\.inbound\.example\.net\.acme\.com: your DNS host added acme\.com to the end.*`mx1\.inbound\.example\.net\.`, with the final dot/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["mx_target_suffixed"]);
  });

  it("mx_target_missing: a better MX host that does not exist takes no mail: a warning, and ours verifies", async () => {
    const c = first(await check([publishAcme.mx(), publishAcme.mx("ghost.acme.com", 5)], [mx1]));
    expect(c.verdict).toBe("verified");
    expect(diagnosis(c, "mx_target_missing")).toMatchObject({ severity: "warning", message: expect.stringMatching(/ghost\.acme\.com \(preference 5\) at acme\.com does not exist in DNS, so senders skip it/) });
    expect(c.diagnoses.map((d) => d.code)).not.toContain("competing_mx");
  });

  it("a better MX that is an alias of a foreign host: remove it (competing_mx), never 'point it directly' there", async () => {
    const c = first(await check([publishAcme.mx(), publishAcme.mx("alias.acme.com", 5), cname("alias.acme.com", "relay.example.net"), host("relay.example.net")], [mx1]));
    expectFailedWith(c, "competing_mx", expect.stringMatching(/alias\.acme\.com with preference 5.*Remove it/));
    expect(c.diagnoses.map((d) => d.code)).toEqual(["competing_mx"]);
  });

  it("a wrong preference fails and says which one was found", async () => {
    const c = first(await check([{ name: "acme.com", type: "MX", data: { preference: 30, exchange: "MX1.inbound.example.net." } }], [mx1]));
    expect(c.verdict).toBe("failed");
    expect(diagnosis(c, "mx_preference_mismatch").message).toMatch(/has preference 30, not 10/);
  });
});

describe("servfail", () => {
  it("distinguishes SERVFAIL from a missing record and points at DNSSEC", async () => {
    const c = first(
      await check([], [ownership()], "acme.com", (w) => {
        for (const s of w.authoritative) s.addRule({ name: "_inbound-verify.acme.com", action: { kind: "rcode", rcode: "SERVFAIL" } });
      }),
    );
    expect(c.verdict).toBe("temporary_failure");
    expect(diagnosis(c, "servfail").message).toMatch(/answer SERVFAIL for _inbound-verify\.acme\.com.*DNSSEC.*DS record/);
    expect(c.diagnoses.map((d) => d.code)).not.toContain("record_missing");
  });

  it("a resolver that cannot validate the zone (SERVFAIL on discovery) is reported as DNSSEC trouble", async () => {
    const report = await check([], [ownership()], "acme.com", (w) => {
      w.resolver.addRule({ name: "acme.com", type: "NS", action: { kind: "rcode", rcode: "SERVFAIL" } });
    });
    expect(first(report).verdict).toBe("temporary_failure");
    expect(report.diagnoses[0]).toMatchObject({ code: "servfail", message: expect.stringMatching(/SERVFAIL.*DNSSEC/) });
  });
});

describe("authoritative_disagree", () => {
  it("shows which server has what", async () => {
    const c = first(
      await check([{ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=abc123" }], [ownership()], "acme.com", (w) => {
        w.authoritative[1]?.data.remove("_inbound-verify.acme.com");
      }),
    );
    expect(c.verdict).toBe("failed");
    expect(c.servers.slice(0, 2).map((s) => [s.outcome, s.values])).toEqual([
      ["answer", ["inbound-verify=abc123"]],
      ["nxdomain", []],
    ]);
    const d = diagnosis(c, "authoritative_disagree");
    expect(d.severity).toBe("error");
    expect(d.message).toMatch(/ns1\.acme\.com \(127\.0\.0\.2:\d+\) has `inbound-verify=abc123`; ns2\.acme\.com \(127\.0\.0\.3:\d+\) has no TXT record/);
    expect(d.message).toMatch(/primary to the secondary/);
  });

  it("when most servers lack the record, the advice is still to wait for them, not to add it again", async () => {
    const report = await check([], [ownership()], "acme.com", (w) => w.authoritative[0]?.data.add({ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=abc123" }), {
      nameservers: 3,
    });
    const c = first(report);
    expect(c.verdict).toBe("failed");
    expect(c.diagnoses.map((d) => d.code)).toEqual(["authoritative_disagree"]);
  });
});

describe("resolver_negative_cache", () => {
  it("verifies from the authoritative answer and says when the resolver's cache expires", async () => {
    const c = first(
      await check([{ name: "_inbound-verify.acme.com", type: "TXT", data: "inbound-verify=abc123" }], [ownership()], "acme.com", (w) => {
        w.resolver.cacheNegative("_inbound-verify.acme.com", { kind: "nxdomain", ttl: 900 });
      }),
    );
    expect(c.verdict).toBe("verified");
    const d = diagnosis(c, "resolver_negative_cache");
    expect(d.severity).toBe("warning");
    expect(d.message).toMatch(/published .* still has a cached "no such name" answer for _inbound-verify\.acme\.com until 2030-01-01T12:15:00\.000Z \(negative-cache TTL 900 s\)/);
    expect(d.details).toMatchObject({ expiresAt: "2030-01-01T12:15:00.000Z", negativeTtl: 900 });
  });
});

import { generateKeyPairSync } from "node:crypto";
import { Readable } from "node:stream";

import { authenticate, dkimSign, dkimVerify } from "mailauth";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * patches/mailauth+4.13.3.patch, the parts that make the gateway's checks cheaper without changing
 * a verdict: the DKIM message parser finds line feeds with indexOf instead of byte by byte (the end
 * of the header section, and bare line feeds it turns into CRLF), and SPF keeps the address ranges
 * it parsed by their text. Each case here goes through the changed code and must keep its verdict.
 */
const DOMAIN = "scan.sender.test";
const published = new Map<string, string>();
const resolver = async (name: string, type: string) => {
  const text = type === "TXT" ? published.get(name) : undefined;
  if (text === undefined) throw Object.assign(new Error(`no ${type} at ${name}`), { code: "ENOTFOUND" });
  return [[text]];
};

let signed: string;

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  published.set(`s1._domainkey.${DOMAIN}`, `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`);
  const raw = [`From: <news@${DOMAIN}>`, "To: <support@acme.test>", "Subject: line ends", "", "First line.", "", "", "Third  line\twith spaces ", "Last line.", ""].join("\r\n");
  const signature = { signingDomain: DOMAIN, selector: "s1", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
  signed = (await dkimSign(raw, { ...signature, signatureData: [signature] } as unknown as Parameters<typeof dkimSign>[1])).signatures + raw;
});

async function dkim(input: Buffer | Readable): Promise<string> {
  const { results } = await dkimVerify(input, { resolver } as unknown as Parameters<typeof dkimVerify>[1]);
  return results[0]!.status.result;
}

/** The message as a stream of `size`-byte chunks: the header's end and CRLF pairs fall across chunk boundaries. */
const inChunks = (text: string, size: number) => Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, index) => Buffer.from(text.slice(index * size, (index + 1) * size))));

describe("DKIM with line feeds found by indexOf", () => {
  it("verifies the message as signed, with bare line feeds, and with both mixed", async () => {
    expect(await dkim(Buffer.from(signed))).toBe("pass");
    expect(await dkim(Buffer.from(signed.replace(/\r\n/g, "\n")))).toBe("pass");
    let line = 0;
    expect(await dkim(Buffer.from(signed.replace(/\r\n/g, () => (line++ % 2 ? "\n" : "\r\n"))))).toBe("pass");
    expect(await dkim(Buffer.from(`${signed.replace(/\r\n/g, "\n")}\n\n\n`))).toBe("pass");
  });

  it("verifies it fed in chunks of every size from 1 to 13 bytes, CRLF or bare line feeds", async () => {
    for (const text of [signed, signed.replace(/\r\n/g, "\n")]) {
      for (let size = 1; size <= 13; size++) expect(`${size}: ${await dkim(inChunks(text, size))}`).toBe(`${size}: pass`);
    }
  });

  it("still rejects a message whose body or header changed, whatever its line ends", async () => {
    // A body that no longer matches its hash is "neutral" in mailauth (RFC 6376 § 6.1.3), a changed signed header "fail".
    expect(await dkim(Buffer.from(signed.replace("Third", "Fourth")))).toBe("neutral");
    expect(await dkim(Buffer.from(signed.replace(/\r\n/g, "\n").replace("Third", "Fourth")))).toBe("neutral");
    expect(await dkim(inChunks(signed.replace("Third", "Fourth"), 5))).toBe("neutral");
    expect(await dkim(inChunks(signed.replace("Subject: line ends", "Subject: line ended"), 7))).toBe("fail");
  });
});

describe("SPF with parsed ranges kept", () => {
  it("matches IPv4 and IPv6 ranges and single addresses, asked again and again in any order", async () => {
    published.set(DOMAIN, "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ip4:198.51.100.7 ip6:2001:db9::7 -all");
    const cases: [string, string][] = [
      ["192.0.2.55", "pass"],
      ["192.0.3.1", "fail"],
      ["198.51.100.7", "pass"],
      ["198.51.100.8", "fail"],
      ["2001:db8:ffff::1", "pass"],
      ["2001:db9::7", "pass"],
      ["2001:db9::8", "fail"],
      ["::ffff:192.0.2.9", "pass"],
    ];
    for (const round of [cases, [...cases].reverse(), cases]) {
      for (const [ip, expected] of round) {
        const result = await authenticate(Buffer.from(`From: <a@${DOMAIN}>\r\n\r\nbody\r\n`), { ip, helo: "mx.sender.test", sender: `a@${DOMAIN}`, mta: "mx.test", resolver, disableBimi: true, disableArc: true } as unknown as Parameters<typeof authenticate>[1]);
        expect(`${ip} ${result.spf && result.spf.status.result}`).toBe(`${ip} ${expected}`);
      }
    }
  });
});

import crypto, { generateKeyPairSync } from "node:crypto";

import { authenticate, dkimSign, dkimVerify, sealMessage } from "mailauth";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * patches/mailauth+4.13.3.patch: mailauth parses a DKIM (or ARC) public key once per record text
 * instead of once per message, and verifies with the parsed key. What must not change: the record
 * is read through the resolver every time, and a record that changes is verified with its new key.
 */
const DOMAIN = "keys.sender.test";
const SELECTOR = "s1";
const RECORD = `${SELECTOR}._domainkey.${DOMAIN}`;

function rsaKey() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

let signing: ReturnType<typeof rsaKey>;
let other: ReturnType<typeof rsaKey>;
let message: Buffer;
const published = new Map<string, string>();
const asked: string[] = [];
const resolver = async (name: string, type: string) => {
  asked.push(`${name} ${type}`);
  const text = type === "TXT" ? published.get(name) : undefined;
  if (text === undefined) throw Object.assign(new Error(`no ${type} at ${name}`), { code: "ENOTFOUND" });
  return [[text]];
};

async function signed(raw: string): Promise<Buffer> {
  const signature = { signingDomain: DOMAIN, selector: SELECTOR, privateKey: signing.privateKey };
  const result = await dkimSign(raw, { ...signature, signatureData: [signature] } as unknown as Parameters<typeof dkimSign>[1]);
  return Buffer.from(result.signatures + raw);
}

async function verdict(raw: Buffer): Promise<{ result: string; comment: string | null }> {
  const { results } = await dkimVerify(raw, { resolver } as unknown as Parameters<typeof dkimVerify>[1]);
  const { result, comment } = results[0]!.status;
  return { result, comment: typeof comment === "string" ? comment : null };
}

beforeAll(async () => {
  signing = rsaKey();
  other = rsaKey();
  message = await signed(
    [`From: <news@${DOMAIN}>`, "To: <support@acme.test>", "Subject: key cache", "Message-ID: <cache@keys.sender.test>", "", "Hello.", ""].join("\r\n"),
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  published.clear();
  asked.length = 0;
});

describe("mailauth's parsed public keys", () => {
  it("parses a record's key once, but reads the record through the resolver for every message", async () => {
    published.set(RECORD, signing.record);
    const parse = vi.spyOn(crypto, "createPublicKey");

    for (let i = 0; i < 3; i++) expect(await verdict(message)).toEqual({ result: "pass", comment: null });

    expect(asked.filter((query) => query === `${RECORD} TXT`)).toHaveLength(3);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it("verifies against the new key as soon as the record changes, and against the old one when it comes back", async () => {
    published.set(RECORD, signing.record);
    expect((await verdict(message)).result).toBe("pass");

    published.set(RECORD, other.record);
    expect(await verdict(message)).toEqual({ result: "fail", comment: "bad signature" });

    published.set(RECORD, signing.record.replace("p=", "p= ")); // the same key, spaced differently
    expect((await verdict(message)).result).toBe("pass");
  });

  it("does not remember a record it could not use", async () => {
    published.set(RECORD, "v=DKIM1; k=rsa; p=bm90IGEga2V5");
    expect((await verdict(message)).result).not.toBe("pass");
    published.set(RECORD, signing.record);
    expect((await verdict(message)).result).toBe("pass");
  });

  it("verifies an ARC seal with the sealer's parsed key", async () => {
    published.set(RECORD, signing.record);
    published.set(DOMAIN, "v=spf1 ip4:127.0.0.0/8 -all");
    const seal = { signingDomain: DOMAIN, selector: SELECTOR, privateKey: signing.privateKey };
    const options = { ip: "127.0.0.9", helo: "mx.sender.test", sender: `news@${DOMAIN}`, mta: "mx.acme.test", resolver, disableBimi: true };
    const first = await authenticate(message, options as unknown as Parameters<typeof authenticate>[1]);
    const sealHeaders = await sealMessage(message, { ...seal, authResults: first.arc ? (first.arc as { authResults: string }).authResults : "", cv: "none" } as unknown as Parameters<typeof sealMessage>[1]);
    const forwarded = Buffer.concat([sealHeaders, message]);

    for (let i = 0; i < 2; i++) {
      const again = await authenticate(forwarded, options as unknown as Parameters<typeof authenticate>[1]);
      expect((again.arc as { status: { result: string } }).status.result).toBe("pass");
    }
  });
});

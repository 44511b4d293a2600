import * as dnsPacket from "dns-packet";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interpretReply } from "./lookup";
import { EDNS_UDP_PAYLOAD, encodeQuery, matchReply } from "./wire";

const spec = { id: 0x1234, name: "_verify.acme.com", type: "TXT" as const };

function validReply(): Buffer {
  return dnsPacket.encode({
    type: "response",
    id: spec.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: spec.name, type: "TXT", class: "IN" }],
    answers: [
      { name: "_verify.acme.com", type: "CNAME", ttl: 60, class: "IN", data: "t.acme.com" },
      { name: "t.acme.com", type: "TXT", ttl: 300, class: "IN", data: [Buffer.from("tok"), Buffer.from("en")] },
      { name: "acme.com", type: "MX", ttl: 300, class: "IN", data: { preference: 10, exchange: "mx.acme.com" } },
    ],
    authorities: [
      {
        name: "acme.com",
        type: "SOA",
        ttl: 600,
        class: "IN",
        data: { mname: "ns1.acme.com", rname: "h.acme.com", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 },
      },
    ],
    additionals: [{ name: "ns1.acme.com", type: "A", ttl: 60, class: "IN", data: "127.0.0.2" }],
  });
}

const KINDS = ["ignore", "garbled", "malformed", "reply"];

describe("encodeQuery", () => {
  it("advertises 1232 bytes of EDNS payload and sets RD only for resolvers", () => {
    const recursive = dnsPacket.decode(encodeQuery({ id: 7, name: "acme.com", type: "MX", recursive: true, edns: true }));
    expect(recursive.flag_rd).toBe(true);
    const opt = recursive.additionals?.find((a) => a.type === "OPT");
    expect(opt && "udpPayloadSize" in opt ? opt.udpPayloadSize : null).toBe(EDNS_UDP_PAYLOAD);
    const iterative = dnsPacket.decode(encodeQuery({ id: 7, name: "acme.com", type: "MX", recursive: false, edns: false }));
    expect(iterative.flag_rd).toBe(false);
    expect(iterative.additionals).toEqual([]);
  });
});

describe("matchReply", () => {
  it("accepts a matching reply and joins TXT strings, keeping them", () => {
    const match = matchReply(validReply(), spec);
    expect(match.kind).toBe("reply");
    if (match.kind !== "reply") return;
    expect(match.reply.answers[1]).toEqual({ type: "TXT", name: "t.acme.com", ttl: 300, strings: ["tok", "en"], value: "token" });
  });

  it("ignores replies for another id or another question, matching names case-insensitively", () => {
    expect(matchReply(validReply(), { ...spec, id: 1 }).kind).toBe("ignore");
    expect(matchReply(validReply(), { ...spec, type: "MX" }).kind).toBe("ignore");
    expect(matchReply(validReply(), { ...spec, name: "other.acme.com" }).kind).toBe("ignore");
    expect(matchReply(validReply(), { ...spec, name: "_VERIFY.Acme.COM." }).kind).toBe("reply");
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, keepId) => {
        const buf = Buffer.from(bytes);
        if (keepId && buf.length >= 2) buf.writeUInt16BE(spec.id, 0);
        expect(KINDS).toContain(matchReply(buf, spec).kind);
      }),
      { numRuns: 600 },
    );
  });

  it("never throws on mutated valid replies, and what it accepts is well-typed", () => {
    const base = validReply();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(base.length),
        (mutations, cut) => {
          const buf = Buffer.from(base);
          for (const [at, value] of mutations) if (at >= 2) buf[at] = value;
          const truncated = cut > 12 ? buf.subarray(0, cut) : buf;
          const match = matchReply(truncated, spec);
          expect(KINDS).toContain(match.kind);
          if (match.kind === "reply") {
            for (const r of [...match.reply.answers, ...match.reply.authorities, ...match.reply.additionals]) {
              expect(typeof r.name).toBe("string");
              expect(Number.isInteger(r.ttl) && r.ttl >= 0).toBe(true);
            }
            const outcome = interpretReply(match.reply, spec.name, spec.type, [], new Set([spec.name]), 8, "test");
            expect(typeof outcome.kind).toBe("string");
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

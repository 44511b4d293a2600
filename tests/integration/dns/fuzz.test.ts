import * as dnsPacket from "dns-packet";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookup } from "@/lib/dns/lookup";
import type { OutcomeKind } from "@/lib/dns/types";
import type { DnsTestServer } from "@/tests/support/dns-server";
import { startDnsServer } from "@/tests/support/dns-server";

// A hostile server: every reply is built by the property under test. Many lookups run at
// once (one name each) so a run costs one timeout, not one per case.
const KINDS: OutcomeKind[] = ["answer", "nxdomain", "nodata", "cname", "cname_loop", "referral", "servfail", "refused", "timeout", "network_error", "malformed", "invalid_name"];
const BATCH = 40;

interface Variant {
  mode: "random" | "mutate" | "truncate";
  tcp: boolean;
  bytes: Uint8Array;
  mutations: Array<[number, number]>;
  cut: number;
  rcode: number;
}

const variant: fc.Arbitrary<Variant> = fc.record({
  mode: fc.constantFrom("random" as const, "mutate" as const, "truncate" as const),
  tcp: fc.boolean(),
  bytes: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  mutations: fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.nat(400),
  rcode: fc.integer({ min: 0, max: 15 }),
});

function validReply(query: dnsPacket.DecodedPacket, rcode: number, truncated = false): Buffer {
  const q = query.questions?.[0];
  const name = q?.name ?? "x.fuzz.test";
  return dnsPacket.encode({
    type: "response",
    id: query.id,
    flags: rcode | dnsPacket.AUTHORITATIVE_ANSWER | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [{ name, type: q?.type ?? "TXT", class: "IN" }],
    answers: truncated
      ? []
      : [
          { name, type: "CNAME", ttl: 5, class: "IN", data: `t.${name}` },
          { name: `t.${name}`, type: "TXT", ttl: 60, class: "IN", data: ["a", "b"] },
          { name: `t.${name}`, type: "MX", ttl: 60, class: "IN", data: { preference: 1, exchange: "mx.fuzz.test" } },
        ],
    authorities: [
      {
        name: "fuzz.test",
        type: "SOA",
        ttl: 60,
        class: "IN",
        data: { mname: "ns.fuzz.test", rname: "h.fuzz.test", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 },
      },
    ],
  });
}

function fuzzed(v: Variant, query: dnsPacket.DecodedPacket): Buffer {
  if (v.mode === "random") {
    const out = Buffer.from(v.bytes);
    if (out.length >= 2) out.writeUInt16BE(query.id ?? 0, 0);
    return out;
  }
  const base = validReply(query, v.rcode);
  for (const [at, value] of v.mutations) if (at >= 2 && at < base.length) base[at] = value;
  return v.mode === "truncate" ? base.subarray(0, Math.max(2, v.cut % (base.length + 1))) : base;
}

let server: DnsTestServer;
let current: Variant[] = [];

beforeAll(async () => {
  server = await startDnsServer({ role: "authoritative", host: "127.0.0.4", zones: [{ origin: "fuzz.test" }] });
  server.addRule({
    action: {
      kind: "raw",
      reply: (raw, transport) => {
        const query = dnsPacket.decode(raw);
        const index = Number(/^f(\d+)\./.exec(query.questions?.[0]?.name ?? "")?.[1] ?? -1);
        const v = current[index];
        if (!v) return null;
        if (v.tcp && transport === "udp") return validReply(query, 0, true);
        return fuzzed(v, query);
      },
    },
  });
});

afterAll(async () => {
  await server.close();
});

describe("hostile replies", () => {
  it("every lookup ends in a typed outcome, over UDP and TCP, whatever the server sends", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(variant, { minLength: BATCH, maxLength: BATCH }), async (variants) => {
        current = variants;
        const outcomes = await Promise.all(
          variants.map((_, i) => lookup(server.address, `f${i}.fuzz.test`, i % 2 === 0 ? "TXT" : "MX", { timeoutMs: 120, retries: 0, recursive: false })),
        );
        for (const outcome of outcomes) {
          expect(KINDS).toContain(outcome.kind);
          if (outcome.kind === "answer") expect(outcome.records.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 6 },
    );
  });
});

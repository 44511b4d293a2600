import dgram from "node:dgram";
import * as dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LookupOptions } from "@/lib/dns/lookup";
import { lookup, QuerySession } from "@/lib/dns/lookup";
import type { DnsTestServer } from "@/tests/support/dns-server";
import { startDnsServer } from "@/tests/support/dns-server";

// Authoritative server for acme.com on its own loopback address; every test adds the
// misbehaviour it needs for its own names, so tests do not interfere.
let auth: DnsTestServer;
const fast: LookupOptions = { timeoutMs: 250, retries: 0, recursive: false };

beforeAll(async () => {
  auth = await startDnsServer({
    role: "authoritative",
    host: "127.0.0.2",
    zones: [
      {
        origin: "acme.com",
        soa: { ttl: 900, minimum: 120 },
        records: [
          { name: "_verify.acme.com", type: "TXT", ttl: 600, data: "token-1" },
          { name: "split.acme.com", type: "TXT", data: ["v=DKIM1; p=AAAA", "BBBB"] },
          { name: "acme.com", type: "MX", data: { preference: 10, exchange: "mx1.example.net" } },
          { name: "host.acme.com", type: "A", data: "127.0.0.9" },
          { name: "a.acme.com", type: "CNAME", data: "b.acme.com" },
          { name: "b.acme.com", type: "CNAME", data: "c.acme.com" },
          { name: "c.acme.com", type: "TXT", data: "end-of-chain" },
          { name: "loop1.acme.com", type: "CNAME", data: "loop2.acme.com" },
          { name: "loop2.acme.com", type: "CNAME", data: "loop1.acme.com" },
          { name: "out.acme.com", type: "CNAME", data: "target.elsewhere.example" },
          { name: "big.acme.com", type: "TXT", data: Array.from({ length: 12 }, (_, i) => `v=spf1 ip4:192.0.2.${i} ${"x".repeat(150)}`).join("") },
          ...Array.from({ length: 10 }, (_, i) => ({ name: "many.acme.com", type: "TXT" as const, data: `record-${i}-${"y".repeat(200)}` })),
        ],
      },
    ],
  });
});

afterAll(async () => {
  await auth.close();
});

describe("answers", () => {
  it("returns records with TTLs", async () => {
    const outcome = await lookup(auth.address, "_verify.acme.com", "TXT", fast);
    expect(outcome).toMatchObject({ kind: "answer", ttl: 600, authoritative: true, chain: [] });
    if (outcome.kind !== "answer") return;
    expect(outcome.records).toEqual([{ type: "TXT", name: "_verify.acme.com", ttl: 600, strings: ["token-1"], value: "token-1" }]);
  });

  it("joins the strings of one TXT record and keeps them", async () => {
    const outcome = await lookup(auth.address, "split.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ strings: ["v=DKIM1; p=AAAA", "BBBB"], value: "v=DKIM1; p=AAAABBBB" });
  });

  it("queries Unicode names as punycode and matches names case-insensitively", async () => {
    auth.data.add({ name: "xn--bcher-kva.acme.com", type: "A", data: "127.0.0.10" });
    const outcome = await lookup(auth.address, "BÜCHER.Acme.com.", "A", fast);
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ address: "127.0.0.10" });
  });

  it("clears RD for authoritative servers, sets it for resolvers, and uses fresh ids", async () => {
    const before = auth.queries.length;
    await lookup(auth.address, "host.acme.com", "A", fast);
    await lookup(auth.address, "host.acme.com", "A", { ...fast, recursive: true });
    const [first, second] = auth.queries.slice(before);
    expect(first).toMatchObject({ recursionDesired: false, ednsUdpSize: 1232, transport: "udp" });
    expect(second).toMatchObject({ recursionDesired: true });
    expect(first?.id).not.toBe(second?.id);
  });
});

describe("negative answers", () => {
  it("nxdomain carries the negative TTL min(SOA TTL, SOA minimum)", async () => {
    expect(await lookup(auth.address, "missing.acme.com", "TXT", fast)).toMatchObject({ kind: "nxdomain", negativeTtl: 120, soa: "acme.com" });
  });

  it("nodata when the name exists without that type", async () => {
    expect(await lookup(auth.address, "host.acme.com", "TXT", fast)).toMatchObject({ kind: "nodata", negativeTtl: 120 });
  });
});

describe("referrals", () => {
  it("a server that does not recurse sends names below a zone cut to the child's servers, with glue", async () => {
    auth.data.add(
      { name: "child.acme.com", type: "NS", data: "ns1.child.acme.com" },
      { name: "child.acme.com", type: "NS", data: "ns.elsewhere.example" },
      { name: "ns1.child.acme.com", type: "A", data: "127.0.0.30" },
    );
    const outcome = await lookup(auth.address, "www.child.acme.com", "TXT", { ...fast, recursive: true });
    expect(outcome).toMatchObject({
      kind: "referral",
      name: "www.child.acme.com",
      zone: "child.acme.com",
      nameservers: ["ns1.child.acme.com", "ns.elsewhere.example"],
      glue: [{ type: "A", name: "ns1.child.acme.com", address: "127.0.0.30" }],
    });
  });
});

describe("error outcomes", () => {
  it("servfail and refused", async () => {
    auth.addRule({ name: "sf.acme.com", action: { kind: "rcode", rcode: "SERVFAIL" } });
    auth.addRule({ name: "rf.acme.com", action: { kind: "rcode", rcode: "REFUSED" } });
    expect((await lookup(auth.address, "sf.acme.com", "TXT", fast)).kind).toBe("servfail");
    expect((await lookup(auth.address, "rf.acme.com", "TXT", fast)).kind).toBe("refused");
    expect((await lookup(auth.address, "other.zone.example", "TXT", fast)).kind).toBe("refused");
  });

  it("timeout when the server stays silent, after the configured retries", async () => {
    auth.addRule({ name: "silent.acme.com", action: { kind: "drop" } });
    const before = auth.queries.filter((q) => q.name === "silent.acme.com").length;
    const started = performance.now();
    const outcome = await lookup(auth.address, "silent.acme.com", "TXT", { ...fast, timeoutMs: 150, retries: 1 });
    expect(outcome.kind).toBe("timeout");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(auth.queries.filter((q) => q.name === "silent.acme.com").length - before).toBe(2);
  });

  it("a retry recovers from one lost reply", async () => {
    auth.addRule({ name: "lossy.acme.com", action: { kind: "drop" }, times: 1 });
    auth.data.add({ name: "lossy.acme.com", type: "TXT", data: "second-try" });
    const outcome = await lookup(auth.address, "lossy.acme.com", "TXT", { ...fast, timeoutMs: 100, retries: 1 });
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ value: "second-try" });
  });

  it("network_error when nothing listens on the port (ICMP port unreachable)", async () => {
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = performance.now();
    const outcome = await lookup({ host: "127.0.0.1", port }, "acme.com", "TXT", { ...fast, timeoutMs: 2000 });
    expect(outcome.kind).toBe("network_error");
    expect(outcome.kind === "network_error" && outcome.message).toMatch(/nothing listening/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("malformed when the reply matches but cannot be parsed", async () => {
    auth.addRule({ name: "broken.acme.com", action: { kind: "malformed" } });
    expect(await lookup(auth.address, "broken.acme.com", "TXT", fast)).toMatchObject({ kind: "malformed", message: expect.stringMatching(/cannot be parsed/) });
  });

  it("malformed, not timeout, when a server only ever sends unreadable replies with our id", async () => {
    auth.addRule({
      name: "garbage.acme.com",
      action: {
        kind: "raw",
        reply: (query) => {
          const out = Buffer.alloc(20, 0xff);
          query.copy(out, 0, 0, 2);
          return out;
        },
      },
    });
    expect((await lookup(auth.address, "garbage.acme.com", "TXT", fast)).kind).toBe("malformed");
  });

  it("invalid names end as an outcome without sending anything", async () => {
    expect((await lookup(auth.address, "a..b", "TXT", fast)).kind).toBe("invalid_name");
  });
});

describe("spoofing resistance", () => {
  it("ignores a reply with the wrong id and takes the real one", async () => {
    auth.addRule({ name: "_verify.acme.com", type: "TXT", action: { kind: "wrong_id", thenAnswer: true }, times: 1 });
    const outcome = await lookup(auth.address, "_verify.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records.map((r) => r.type === "TXT" && r.value)).toEqual(["token-1"]);
  });

  it("ignores a reply to another question and takes the real one", async () => {
    auth.addRule({ name: "_verify.acme.com", type: "TXT", action: { kind: "wrong_question", thenAnswer: true }, times: 1 });
    const outcome = await lookup(auth.address, "_verify.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records.map((r) => r.type === "TXT" && r.value)).toEqual(["token-1"]);
  });

  it("times out when only spoofed replies arrive", async () => {
    auth.addRule({ name: "spoofonly.acme.com", action: { kind: "wrong_id" } });
    auth.addRule({ name: "spoofq.acme.com", action: { kind: "wrong_question" } });
    expect((await lookup(auth.address, "spoofonly.acme.com", "TXT", fast)).kind).toBe("timeout");
    expect((await lookup(auth.address, "spoofq.acme.com", "TXT", fast)).kind).toBe("timeout");
  });

  it("never sees a forged reply sent from another address or port", async () => {
    // The client's socket is connected to the server, so a datagram from anywhere else is
    // dropped by the kernel even when its id and question are right.
    const attacker = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => attacker.bind(0, "127.0.0.2", resolve));
    auth.addRule({ name: "offpath.acme.com", action: { kind: "drop" } });
    const pending = lookup(auth.address, "offpath.acme.com", "TXT", fast);
    for (let i = 0; i < 20 && !auth.queries.some((e) => e.name === "offpath.acme.com"); i += 1) await new Promise((r) => setTimeout(r, 5));
    const query = auth.queries.find((e) => e.name === "offpath.acme.com");
    if (!query) throw new Error("query never arrived");
    const forged = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{ name: "offpath.acme.com", type: "TXT", class: "IN" }],
      answers: [{ name: "offpath.acme.com", type: "TXT", ttl: 60, class: "IN", data: "forged" }],
    });
    attacker.send(forged, query.source.port, query.source.address);
    expect((await pending).kind).toBe("timeout");
    attacker.close();
  });
});

describe("TCP", () => {
  it("retries over TCP when the UDP reply is truncated", async () => {
    auth.addRule({ name: "_verify.acme.com", type: "TXT", transport: "udp", action: { kind: "truncate" }, times: 1 });
    const before = auth.queries.length;
    const outcome = await lookup(auth.address, "_verify.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ value: "token-1" });
    expect(auth.queries.slice(before).map((q) => q.transport)).toEqual(["udp", "tcp"]);
  });

  it("fetches a TXT set larger than 1232 bytes over TCP", async () => {
    const before = auth.queries.length;
    const outcome = await lookup(auth.address, "many.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records).toHaveLength(10);
    const big = await lookup(auth.address, "big.acme.com", "TXT", fast);
    expect(big.kind === "answer" && big.records[0]?.type === "TXT" && big.records[0].strings.length).toBeGreaterThan(5);
    expect(auth.queries.slice(before).map((q) => q.transport)).toEqual(["udp", "tcp", "udp", "tcp"]);
  });

  it("ignores a TCP reply with the wrong id and takes the next one", async () => {
    auth.addRule({ name: "_verify.acme.com", type: "TXT", transport: "udp", action: { kind: "truncate" }, times: 1 });
    auth.addRule({ name: "_verify.acme.com", type: "TXT", transport: "tcp", action: { kind: "wrong_id", thenAnswer: true }, times: 1 });
    const outcome = await lookup(auth.address, "_verify.acme.com", "TXT", fast);
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ value: "token-1" });
  });

  it("reports a TCP failure after truncation as an error outcome", async () => {
    auth.addRule({ name: "tc-drop.acme.com", transport: "udp", action: { kind: "truncate" } });
    auth.addRule({ name: "tc-drop.acme.com", transport: "tcp", action: { kind: "drop" } });
    expect((await lookup(auth.address, "tc-drop.acme.com", "TXT", fast)).kind).toBe("timeout");
  });
});

describe("CNAME chains", () => {
  it("uses the chain given in the answer", async () => {
    const outcome = await lookup(auth.address, "a.acme.com", "TXT", fast);
    expect(outcome).toMatchObject({
      kind: "answer",
      chain: [
        { from: "a.acme.com", to: "b.acme.com" },
        { from: "b.acme.com", to: "c.acme.com" },
      ],
    });
    expect(outcome.kind === "answer" && outcome.records[0]).toMatchObject({ name: "c.acme.com", value: "end-of-chain" });
  });

  it("queries the target when the answer stops at a CNAME", async () => {
    const stub = await startDnsServer({
      role: "resolver",
      host: "127.0.0.3",
      sources: () => [auth.data],
    });
    try {
      // This server answers only the first link of the chain for each query.
      stub.addRule({
        name: "a.acme.com",
        action: {
          kind: "raw",
          reply: (query) => {
            const q = dnsPacket.decode(query);
            return dnsPacket.encode({
              type: "response",
              id: q.id,
              flags: dnsPacket.RECURSION_AVAILABLE,
              questions: q.questions,
              answers: [{ name: "a.acme.com", type: "CNAME", ttl: 30, class: "IN", data: "c.acme.com" }],
            });
          },
        },
      });
      const outcome = await lookup(stub.address, "a.acme.com", "TXT", { ...fast, recursive: true });
      expect(outcome).toMatchObject({ kind: "answer", chain: [{ from: "a.acme.com", to: "c.acme.com" }] });
      expect(stub.queries.map((q) => q.name)).toEqual(["a.acme.com", "c.acme.com"]);
      const unfollowed = await lookup(auth.address, "out.acme.com", "TXT", { ...fast, followCname: false });
      expect(unfollowed).toMatchObject({ kind: "cname", target: "target.elsewhere.example" });
    } finally {
      await stub.close();
    }
  });

  it("detects a loop instead of following it forever", async () => {
    expect(await lookup(auth.address, "loop1.acme.com", "TXT", fast)).toMatchObject({ kind: "cname_loop", reason: "loop" });
  });

  it("bounds chain length", async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({ name: `hop${i}.acme.com`, type: "CNAME" as const, data: `hop${i + 1}.acme.com` }));
    auth.data.add(...records, { name: "hop12.acme.com", type: "TXT", data: "far" });
    expect(await lookup(auth.address, "hop0.acme.com", "TXT", { ...fast, maxCnameDepth: 8 })).toMatchObject({ kind: "cname_loop", reason: "too_long" });
  });
});

describe("QuerySession", () => {
  it("shares identical in-flight queries and honours the abort signal", async () => {
    const controller = new AbortController();
    const session = new QuerySession({ timeoutMs: 2000, retries: 0, signal: controller.signal });
    const before = auth.queries.length;
    const [a, b] = await Promise.all([
      session.lookup(auth.address, "_verify.acme.com", "TXT", { recursive: false }),
      session.lookup(auth.address, "_VERIFY.acme.com.", "TXT", { recursive: false }),
    ]);
    expect(a).toBe(b);
    expect(auth.queries.length - before).toBe(1);

    auth.addRule({ name: "slow.acme.com", delayMs: 1500 });
    const started = performance.now();
    const pending = session.lookup(auth.address, "slow.acme.com", "TXT", { recursive: false });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ kind: "timeout", message: expect.stringMatching(/deadline/) });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("one socket per server", () => {
  it("queries under way to one server share a socket, and each gets its own answer", async () => {
    for (let i = 0; i < 40; i += 1) auth.data.add({ name: `shared${i}.acme.com`, type: "TXT", data: `answer-${i}` });
    const before = auth.queries.length;
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => lookup(auth.address, `shared${i}.acme.com`, "TXT", fast)));
    outcomes.forEach((outcome, i) => {
      expect(outcome.kind === "answer" && outcome.records.map((r) => r.type === "TXT" && r.value)).toEqual([`answer-${i}`]);
    });
    const asked = auth.queries.slice(before).filter((q) => q.name.startsWith("shared"));
    expect(asked).toHaveLength(40);
    expect(new Set(asked.map((q) => q.source.port)).size).toBe(1);
    // Replies are told apart by id: no two queries under way together share one.
    expect(new Set(asked.map((q) => q.id)).size).toBe(40);
  });

  it("a reply is taken only by the query it answers, even when it carries another query's id", async () => {
    // first.acme.com is answered late; second.acme.com is answered at once, but with the id of the
    // query for first.acme.com, still waiting on the same socket: that query must not take it.
    auth.data.add({ name: "first.acme.com", type: "TXT", data: "first" });
    auth.addRule({ name: "first.acme.com", delayMs: 200 });
    auth.addRule({
      name: "second.acme.com",
      action: {
        kind: "raw",
        reply: () => {
          const firstId = auth.queries.findLast((q) => q.name === "first.acme.com")?.id ?? 0;
          return dnsPacket.encode({
            type: "response",
            id: firstId,
            flags: dnsPacket.AUTHORITATIVE_ANSWER,
            questions: [{ name: "second.acme.com", type: "TXT", class: "IN" }],
            answers: [{ name: "second.acme.com", type: "TXT", ttl: 60, class: "IN", data: "crossed" }],
          });
        },
      },
    });
    const first = lookup(auth.address, "first.acme.com", "TXT", { ...fast, timeoutMs: 600 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = lookup(auth.address, "second.acme.com", "TXT", { ...fast, timeoutMs: 400 });
    const [a, b] = await Promise.all([first, second]);
    expect(a.kind === "answer" && a.records.map((r) => r.type === "TXT" && r.value)).toEqual(["first"]);
    expect(b.kind).toBe("timeout");
  });

  it("moves to a new source port after a few hundred queries", async () => {
    const before = auth.queries.length;
    for (let round = 0; round < 6; round += 1) {
      await Promise.all(Array.from({ length: 100 }, () => lookup(auth.address, `_verify.acme.com`, "TXT", { ...fast, timeoutMs: 1000 }).then((o) => expect(o.kind).toBe("answer"))));
    }
    const ports = new Map<number, number>();
    for (const q of auth.queries.slice(before)) ports.set(q.source.port, (ports.get(q.source.port) ?? 0) + 1);
    expect(ports.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...ports.values())).toBeLessThanOrEqual(256);
  });
});

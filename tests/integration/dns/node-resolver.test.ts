import { afterAll, describe, expect, it } from "vitest";

import { createNodeStyleResolver, ResolverCache, withResolverDeadline } from "@/lib/dns/node-resolver";
import { startDnsWorld } from "@/tests/support/dns-server";

/**
 * The `dns.promises.resolve`-shaped adapter mail authentication uses: Node's shapes and error
 * codes, answered by our loopback resolver only, within the timeout given.
 */
const world = await startDnsWorld({
  zones: [
    {
      origin: "mail.test",
      records: [
        { name: "mail.test", type: "TXT", data: ["v=spf1 ", "ip4:192.0.2.0/24 -all"] },
        { name: "mail.test", type: "MX", data: { preference: 10, exchange: "mx.mail.test" } },
        { name: "mx.mail.test", type: "A", data: "192.0.2.25" },
        { name: "alias.mail.test", type: "CNAME", data: "mx.mail.test" },
      ],
    },
  ],
});
const resolve = createNodeStyleResolver({ resolvers: world.resolvers, timeoutMs: 300 });

afterAll(() => world.close());

describe("Node-style resolver over lib/dns", () => {
  it("returns what Node's resolve returns for each type, following CNAMEs", async () => {
    expect(await resolve("mail.test", "TXT")).toEqual([["v=spf1 ", "ip4:192.0.2.0/24 -all"]]);
    expect(await resolve("mail.test", "MX")).toEqual([{ exchange: "mx.mail.test", priority: 10 }]);
    expect(await resolve("alias.mail.test", "A")).toEqual(["192.0.2.25"]);
  });

  it("rejects with Node's codes: ENOTFOUND, ENODATA, ETIMEOUT", async () => {
    await expect(resolve("missing.mail.test", "TXT")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolve("mx.mail.test", "TXT")).rejects.toMatchObject({ code: "ENODATA" });
    // A type this library does not parse is "no data", never a query to someone else's resolver.
    await expect(resolve("1.2.0.192.in-addr.arpa", "PTR")).rejects.toMatchObject({ code: "ENODATA" });
    world.resolver.addRule({ name: "slow.mail.test", action: { kind: "drop" } });
    await expect(resolve("slow.mail.test", "TXT")).rejects.toMatchObject({ code: "ETIMEOUT" });
  });

  it("with a cache, asks once per TTL: answers and NXDOMAIN/NODATA are kept for their TTL, changes show after it, failures are never kept", async () => {
    let now = 1_000_000;
    const cache = new ResolverCache({ maxEntries: 100, maxTtlSeconds: 3_600 }, () => now);
    const cached = createNodeStyleResolver({ resolvers: world.resolvers, timeoutMs: 300, cache });
    world.publish({ name: "cached.mail.test", type: "TXT", ttl: 60, data: "v=spf1 -all" });
    const asked = (name: string) => world.resolver.queries.filter((query) => query.name === name).length;

    expect(await cached("cached.mail.test", "TXT")).toEqual([["v=spf1 -all"]]);
    const answer = await cached("Cached.Mail.Test.", "TXT");
    expect(answer).toEqual([["v=spf1 -all"]]);
    (answer[0] as string[]).push("changed by the caller");
    expect(await cached("cached.mail.test", "TXT")).toEqual([["v=spf1 -all"]]);
    expect(asked("cached.mail.test")).toBe(1);

    // The record changes: the old answer stands until its TTL has passed, then the new one is asked for.
    world.unpublish("cached.mail.test", "TXT");
    world.publish({ name: "cached.mail.test", type: "TXT", ttl: 60, data: "v=spf1 ip4:192.0.2.9 -all" });
    now += 59_000;
    expect(await cached("cached.mail.test", "TXT")).toEqual([["v=spf1 -all"]]);
    now += 2_000;
    expect(await cached("cached.mail.test", "TXT")).toEqual([["v=spf1 ip4:192.0.2.9 -all"]]);
    expect(asked("cached.mail.test")).toBe(2);

    await expect(cached("nothing.mail.test", "TXT")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(cached("nothing.mail.test", "TXT")).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(asked("nothing.mail.test")).toBe(1);
    const before = asked("mx.mail.test");
    await expect(cached("mx.mail.test", "TXT")).rejects.toMatchObject({ code: "ENODATA" });
    await expect(cached("mx.mail.test", "TXT")).rejects.toMatchObject({ code: "ENODATA" });
    expect(asked("mx.mail.test") - before).toBe(1);

    world.resolver.addRule({ name: "flaky.mail.test", action: { kind: "drop" } });
    await expect(cached("flaky.mail.test", "TXT")).rejects.toMatchObject({ code: "ETIMEOUT" });
    await expect(cached("flaky.mail.test", "TXT")).rejects.toMatchObject({ code: "ETIMEOUT" });
    expect(asked("flaky.mail.test")).toBe(2);
  });
});

describe("withResolverDeadline", () => {
  it("gives the work's answer when DNS answers in time", async () => {
    const answer = await withResolverDeadline({ resolvers: world.resolvers, timeoutMs: 1_000, deadlineMs: 5_000 }, (lookup) => lookup("mx.mail.test", "A"));
    expect(answer).toEqual(["192.0.2.25"]);
  });

  it("answers null at the deadline, however many queries the work still waits on", async () => {
    world.resolver.addRule({ name: "silent.mail.test", action: { kind: "drop" } });
    let settled = false;
    // Each query alone may wait 10 s; the deadline of 300 ms ends the whole work and aborts them.
    const work = withResolverDeadline({ resolvers: world.resolvers, timeoutMs: 10_000, deadlineMs: 300 }, async (lookup) => {
      const answers = await Promise.all([lookup("silent.mail.test", "TXT"), lookup("silent.mail.test", "MX")]);
      settled = true;
      return answers;
    });
    expect(await work).toBeNull();
    expect(settled).toBe(false);
  });
});


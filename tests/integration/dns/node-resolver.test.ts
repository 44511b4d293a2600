import { afterAll, describe, expect, it } from "vitest";

import { createNodeStyleResolver } from "@/lib/dns/node-resolver";
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
});

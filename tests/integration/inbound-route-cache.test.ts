import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import { startGateway } from "@/lib/mail/gateway";

import { inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { makeRoute } from "../support/routing-fixtures";
import { SmtpClient } from "../support/smtp";

/**
 * The gateway keeps its routing decisions in memory (lib/mail/route-cache.ts) and drops them when
 * PostgreSQL notifies a routing change: a route created or deleted in the console takes effect on
 * the next RCPT TO, long before the cache's 60-second age limit, and a change made while the
 * gateway was not listening is not missed.
 */
const db = getDb();
const world = await seedInboundWorld(db);
const dns = await startSenderDns();
const { config } = await inboundConfig(dns);
const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
const stats = () => gateway.routeCache()!;
await eventually("the gateway listening for routing changes", async () => stats().live);

afterAll(async () => {
  await gateway.stop(2_000);
  await dns.close();
});

/** RCPT TO's reply code for `address`, in a fresh transaction on a fresh connection. */
async function rcpt(address: string): Promise<number> {
  const { client } = await SmtpClient.connect(gateway.port);
  try {
    await client.send("EHLO client.sender.test");
    expect((await client.send("MAIL FROM:<customer@sender.test>")).code).toBe(250);
    return (await client.send(`RCPT TO:<${address}>`)).code;
  } finally {
    client.close();
  }
}

describe("routing decisions cached in the gateway", () => {
  it("answers repeated recipients from memory, yet a route deleted or created in the console takes effect on the next RCPT TO", async () => {
    expect(await rcpt("sales@help.acme.test")).toBe(250);
    const hits = stats().hits;
    expect(await rcpt("sales@help.acme.test")).toBe(250);
    expect(stats().hits).toBe(hits + 1);

    const invalidations = stats().invalidations;
    await db.route.delete({ where: { id: world.routes.sales.id } });
    await eventually("the deleted route refused", async () => (await rcpt("sales@help.acme.test")) === 550);
    expect(stats().invalidations).toBeGreaterThan(invalidations);

    // A refusal is remembered too, and forgotten as soon as the route exists.
    expect(await rcpt("newcomer@help.acme.test")).toBe(550);
    expect(await rcpt("newcomer@help.acme.test")).toBe(550);
    await makeRoute(db, world.acme.id, world.domains.help, "newcomer", world.queues.sales.id);
    await eventually("the new route accepted", async () => (await rcpt("newcomer@help.acme.test")) === 250);
  });

  it("forgets everything when its LISTEN connection is lost, so a change it was not told about is not missed, and caches again once listening", async () => {
    expect(await rcpt("support@copies.acme.test")).toBe(250);
    expect(await rcpt("support@copies.acme.test")).toBe(250);
    const listens = stats().listens;
    const [listener] = await db.$queryRaw<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'email-routing-inbound-routes'`;
    expect(listener).toBeDefined();
    await db.$queryRaw`SELECT pg_terminate_backend(${listener!.pid})`;
    await eventually("the listening backend gone", async () => {
      const rows = await db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE pid = ${listener!.pid}`;
      return rows.length === 0;
    });

    // Nobody listens now: this deletion's notification reaches no gateway.
    await db.route.delete({ where: { id: world.routes.copies.id } });
    await eventually("the deleted route refused", async () => (await rcpt("support@copies.acme.test")) === 550);

    await eventually("listening again", async () => stats().live && stats().listens > listens);
    expect(await rcpt("support@help.acme.test")).toBe(250);
    const hits = stats().hits;
    expect(await rcpt("support@help.acme.test")).toBe(250);
    expect(stats().hits).toBe(hits + 1);
  });
});

import { afterAll, describe, expect, it } from "vitest";

import { getDb, getPool } from "@/lib/db/client";
import { log } from "@/lib/log";
import { loadDomainRoutes } from "@/lib/mail/domain-routes";
import { startGateway } from "@/lib/mail/gateway";
import { RouteCache } from "@/lib/mail/route-cache";
import { resolveAddress } from "@/lib/routes/address-resolution";

import { inboundConfig, PLATFORM_DOMAIN, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { makeRoute } from "../support/routing-fixtures";
import { message, sendMail, SmtpClient } from "../support/smtp";

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

  it("remembers a keep-copies domain's original domain, and a new answer in the set-up wizard takes effect on the next message", async () => {
    const address = `support@acme.${PLATFORM_DOMAIN}`;
    /** The original recipient recorded for a message the customer wrote to team@acme-own.test (another local part). */
    const send = async () => {
      const sent = await sendMail(gateway.port, { from: "customer@sender.test", to: [address], message: message({ to: "Acme Team <team@acme-own.test>" }) });
      const id = /queued as ([0-9a-f-]{36})/.exec(sent.data?.text ?? "")?.[1];
      expect(id).toBeDefined();
      return (await db.inboundDelivery.findFirstOrThrow({ where: { messageId: id } })).originalRecipient;
    };
    // A platform domain has no original domain until the wizard records one: another local part is not claimed.
    expect(await send()).toBeNull();
    const hits = stats().hits;
    expect(await send()).toBeNull();
    expect(stats().hits).toBe(hits + 2); // the route and the original domain

    const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@acme.example" } });
    await db.setupRun.create({ data: { organizationId: world.acme.id, startedById: admin.id, step: "redirects", domainId: world.domains.platform.id, data: { originalDomain: "acme-own.test" } } });
    await eventually("the wizard's original domain used", async () => (await send()) === "team@acme-own.test");
  });

  it("answers addresses it has not seen from the domain's routes, read once in the background, exactly as the one-address lookup would", async () => {
    expect(await rcpt("support@help.acme.test")).toBe(250);
    await eventually("help.acme.test's routes in memory", async () => stats().domains > 0);
    const { hits, misses } = stats();
    expect(await rcpt("Newcomer@HELP.acme.test")).toBe(250);
    expect(await rcpt("nobody-yet@help.acme.test")).toBe(550);
    expect(stats()).toMatchObject({ hits: hits + 2, misses });

    // The table's answers are the database's, field for field: routed (any case), no route, a domain not verified yet.
    const pool = getPool();
    const cache = new RouteCache({ connectionString: process.env.DATABASE_URL!, log, loadDomain: (domainId, limit) => loadDomainRoutes(pool, domainId, limit) });
    await cache.start();
    try {
      for (const first of ["support@help.acme.test", "support@new.acme.test"]) await cache.resolve(first, () => resolveAddress(pool, first));
      await eventually("both domains in memory", async () => cache.stats().domains === 2);
      const fromDatabase = () => Promise.reject(new Error("the table should have answered"));
      for (const address of ["support@help.acme.test", "SUPPORT@Help.Acme.Test", "newcomer@help.acme.test", "nobody@help.acme.test", "support@new.acme.test", "other@new.acme.test"]) {
        expect(await cache.resolve(address, fromDatabase)).toEqual(await resolveAddress(pool, address));
      }
    } finally {
      await cache.stop();
    }
  });
});

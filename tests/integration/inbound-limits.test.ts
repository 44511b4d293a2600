import { afterAll, describe, expect, it } from "vitest";

import { getDb, getPool, type Queryable } from "@/lib/db/client";
import { startWorker, type JobEvent } from "@/lib/worker/worker";
import { QUEUES } from "@/lib/jobs/queues";
import { BATCHED_SHARE_OF_LIMIT, RateCounters } from "@/lib/mail/counters";
import { startGateway } from "@/lib/mail/gateway";
import { recordRefusal, type RefusalContext } from "@/lib/mail/refusal-log";
import { refusals } from "@/lib/mail/replies";
import { pruneInboundMail } from "@/lib/mail/retention";

import { atStartOfAMinute, inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { configWith, eventually } from "../support/jobs";
import { dataPayload, message, sendMail, SmtpClient } from "../support/smtp";

/**
 * Limits that hold across gateway instances (counted in PostgreSQL), the cap on stored refusals,
 * and retention. Two gateways share this file's database, as two MX hosts would share one.
 */
const db = getDb();
const world = await seedInboundWorld(db);
const dns = await startSenderDns();
const { config } = await inboundConfig(dns, {
  INBOUND_RATE_CONNECTIONS_PER_MINUTE: "4",
  INBOUND_RATE_MESSAGES_PER_MINUTE: "3",
  INBOUND_REFUSALS_PER_MINUTE: "2",
  INBOUND_REFUSALS_PER_CLIENT_PER_MINUTE: "3",
  INBOUND_MAX_REFUSED_RECIPIENTS: "8",
});
const first = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
const second = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });

afterAll(async () => {
  await Promise.all([first.stop(2_000), second.stop(2_000)]);
  await dns.close();
});

/** A key's hits this file's gateways have written, over all minutes. */
async function storedHits(key: string): Promise<number> {
  const result = await getPool().query<{ hits: number }>("SELECT coalesce(sum(hits), 0)::int AS hits FROM inbound_rate_counters WHERE key = $1", [key]);
  return result.rows[0]!.hits;
}

describe("per-client limits, counted across instances", () => {
  it("answers 421 4.7.0 to a client's connection over the per-minute limit, wherever it connects", async () => {
    await atStartOfAMinute();
    const client = { localAddress: "127.0.0.31" };
    const greetings = [];
    for (const [index, port] of [first.port, second.port, first.port, second.port, first.port].entries()) {
      const { client: connection, greeting } = await SmtpClient.connect(port, client);
      greetings.push(greeting.code);
      connection.close();
      // Hits on different instances within one batch delay may pass the limit (lib/mail/counters.ts);
      // these come further apart, as a client's connections to two MX hosts do.
      await eventually("the connection to be counted", async () => ((await storedHits("connections:127.0.0.31")) === index + 1 ? true : null));
    }
    expect(greetings).toEqual([220, 220, 220, 220, 421]);
    const { greeting: other } = await SmtpClient.connect(second.port, { localAddress: "127.0.0.32" });
    expect(other.code).toBe(220);
    const refusal = await eventually("the refusal to be logged", () => db.inboundRefusal.findFirst({ where: { clientAddress: "127.0.0.31", reason: "connection_rate_limited" } }));
    expect(refusal).toMatchObject({ stage: "connect", code: 421, enhancedStatus: "4.7.0", organizationId: null });
  });

  it("answers 450 4.7.1 to MAIL FROM over the per-minute message limit, across instances", async () => {
    await atStartOfAMinute();
    const codes: number[] = [];
    for (const port of [first.port, second.port, first.port, second.port]) {
      const sent = await sendMail(port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: message(), localAddress: "127.0.0.33" });
      codes.push(sent.mail.code);
      if (sent.mail.code !== 250) expect(sent.mail.text).toBe("4.7.1 Too much mail from your address, try again later");
    }
    expect(codes).toEqual([250, 250, 250, 450]);
  });
});

describe("rate counters: batched far from a limit, exact near it", () => {
  const pool = getPool();
  const stored = storedHits;

  it("answers hits far below the limit without a statement each, and writes them all, from every instance, in one batch", async () => {
    let statements = 0;
    const counting: Queryable = { query: ((...args: Parameters<Queryable["query"]>) => (statements++, pool.query(...args))) as Queryable["query"] };
    const [a, b] = [new RateCounters(counting), new RateCounters(counting)];
    const key = `test-batched-${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 ? a : b).hit(key, 1_000)));
    expect(answers.every(Boolean)).toBe(true);
    expect(statements).toBe(0);
    expect(await stored(key)).toBe(0);
    await Promise.all([a.flush(), b.flush()]);
    expect(statements).toBe(2);
    expect(await stored(key)).toBe(40);
  });

  it("counts its own hits while their batch is being written: the next hit is decided by the database", async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let statements = 0;
    const slow: Queryable = {
      query: (async (...args: Parameters<Queryable["query"]>) => {
        statements++;
        if (statements === 1) await held; // the batch's write takes its time
        return pool.query(...args);
      }) as Queryable["query"],
    };
    const counters = new RateCounters(slow);
    const key = `test-writing-${Date.now()}`;
    expect(await counters.hit(key, 4)).toBe(true); // 1 of 4: batched
    const flushing = counters.flush();
    await new Promise((resolve) => setImmediate(resolve)); // the batch is on its way
    expect(statements).toBe(1);
    // 2 of 4 is past the batched share (1): decided by its own upsert, not batched again.
    expect(await counters.hit(key, 4)).toBe(true);
    expect(statements).toBe(2);
    release();
    await flushing;
    expect(await stored(key)).toBe(2);
  });

  it("decides each hit near the limit by the database's count: one instance is exact, several overshoot by at most their batches", async () => {
    await atStartOfAMinute(5);
    const limit = 8;
    const alone = new RateCounters(pool);
    const key = `test-exact-${Date.now()}`;
    const answers: boolean[] = [];
    for (let index = 0; index < limit + 2; index++) answers.push(await alone.hit(key, limit));
    expect(answers).toEqual([...Array<boolean>(limit).fill(true), false, false]);
    expect(await stored(key)).toBe(limit + 2);

    const [a, b] = [new RateCounters(pool), new RateCounters(pool)];
    const shared = `test-shared-${Date.now()}`;
    const accepted: boolean[] = [];
    for (let index = 0; index < limit + 4; index++) accepted.push(await (index % 2 ? a : b).hit(shared, limit));
    const overshoot = Math.floor(BATCHED_SHARE_OF_LIMIT * limit);
    expect(accepted.filter(Boolean).length).toBeGreaterThanOrEqual(limit);
    expect(accepted.filter(Boolean).length).toBeLessThanOrEqual(limit + overshoot);
    await Promise.all([a.flush(), b.flush()]);
    // Every hit is counted, and once the batches are written both instances refuse.
    expect(await stored(shared)).toBe(limit + 4);
    expect(await a.hit(shared, limit)).toBe(false);
    expect(await b.hit(shared, limit)).toBe(false);
  });

  it("keeps batched hits through a failed write and writes them with the next one; a hit that must be asked fails loudly", async () => {
    let failing = true;
    const errors: unknown[] = [];
    const flaky: Queryable = {
      query: ((...args: Parameters<Queryable["query"]>) => (failing ? Promise.reject(new Error("connection refused")) : pool.query(...args))) as Queryable["query"],
    };
    const counters = new RateCounters(flaky, (error) => errors.push(error));
    const key = `test-flaky-${Date.now()}`;
    for (let index = 0; index < 5; index++) expect(await counters.hit(key, 100)).toBe(true);
    await counters.flush();
    expect(errors).toHaveLength(1);
    await expect(counters.hit(key, 4)).rejects.toThrow("connection refused");
    failing = false;
    await counters.flush();
    expect(await stored(key)).toBe(5);
    expect(await counters.hit(key, 100)).toBe(true);
    await counters.flush();
    expect(await stored(key)).toBe(6);
  });
});

describe("refusals are capped per client and recipient domain each minute", () => {
  it("stores the first ones and counts the rest on the last stored", async () => {
    await atStartOfAMinute();
    const { client } = await SmtpClient.connect(first.port, { localAddress: "127.0.0.34" });
    await client.send("EHLO flood.sender.test");
    await client.send("MAIL FROM:<flood@sender.test>");
    for (let index = 0; index < 6; index++) expect((await client.send(`RCPT TO:<user${index}@relay-target.test>`)).code).toBe(550);
    client.close();
    const rows = await eventually("the counts to settle", async () => {
      const found = await db.inboundRefusal.findMany({ where: { clientAddress: "127.0.0.34" }, orderBy: { createdAt: "asc" } });
      return found.length === 2 && found[1]!.suppressed === 4 ? found : null;
    });
    expect(rows.map((row) => row.recipient)).toEqual(["user0@relay-target.test", "user1@relay-target.test"]);
  });

  it("caps a client that cycles through domains, across instances, and counts the rest", async () => {
    await atStartOfAMinute();
    // One made-up domain per attempt would get past a cap per domain; the client-wide one holds,
    // wherever the client connects.
    // (Two sessions, one per gateway, stay under this file's connection and message limits.)
    for (const [port, indexes] of [[first.port, [0, 1, 2, 3]], [second.port, [4, 5, 6]]] as const) {
      const { client } = await SmtpClient.connect(port, { localAddress: "127.0.0.36" });
      await client.send("EHLO cycle.sender.test");
      expect((await client.send("MAIL FROM:<cycle@sender.test>")).code).toBe(250);
      for (const index of indexes) expect((await client.send(`RCPT TO:<user@made-up-${index}.test>`)).code).toBe(550);
      await client.send("QUIT");
      client.close();
    }
    const rows = await eventually("the counts to settle", async () => {
      const found = await db.inboundRefusal.findMany({ where: { clientAddress: "127.0.0.36" }, orderBy: { createdAt: "asc" } });
      // Refusals are written after the reply, so which stored row a count lands on may vary; the total may not.
      return found.length === 3 && found.reduce((sum, row) => sum + row.suppressed, 0) === 4 ? found : null;
    });
    expect(rows.map((row) => row.recipientDomain).sort()).toEqual(["made-up-0.test", "made-up-1.test", "made-up-2.test"]);
  });
});

describe("refusals from many clients at once", () => {
  it("stores at most the per-organisation cap each minute, counts the rest on the organisation's last row, and leaves other organisations' logs alone", async () => {
    // A minute of its own, far from the other tests' counters.
    const now = new Date(Date.UTC(2030, 0, 1, 12, 0, 5));
    const caps = { perMinute: 100, perClientPerMinute: 100, perOrganizationPerMinute: 3 };
    const attempt = (client: number, organizationId: string | null, domain: string): RefusalContext => ({
      gateway: "test",
      sessionId: `s${client}`,
      clientAddress: `192.0.2.${client}`,
      helo: null,
      stage: "rcpt",
      envelopeFrom: "flood@sender.test",
      recipient: `user@${domain}`,
      recipientDomain: domain,
      organizationId,
      domainId: null,
    });
    const outcomes = [];
    for (let client = 1; client <= 6; client++) {
      outcomes.push(await recordRefusal(db, refusals.relayDenied(`user@spread-${client}.test`, `spread-${client}.test`), attempt(client, null, `spread-${client}.test`), caps, now));
    }
    expect(outcomes).toEqual(["stored", "stored", "stored", "suppressed", "suppressed", "suppressed"]);
    const nobodys = await db.inboundRefusal.findMany({ where: { createdAt: now, organizationId: null } });
    expect(nobodys).toHaveLength(3);
    expect(nobodys.reduce((sum, row) => sum + row.suppressed, 0)).toBe(3);

    const acme = await recordRefusal(db, refusals.noRoute("nobody@help.acme.test", "help.acme.test", []), attempt(7, world.acme.id, "help.acme.test"), caps, now);
    expect(acme).toBe("stored");
  });
});

describe("a connection that collects refused recipients", () => {
  /** Opens a transaction from `localAddress` and has `count` made-up recipients refused (550). */
  async function guessing(port: number, localAddress: string, count: number): Promise<SmtpClient> {
    const { client } = await SmtpClient.connect(port, { localAddress });
    await client.send("EHLO guess.sender.test");
    expect((await client.send("MAIL FROM:<guess@sender.test>")).code).toBe(250);
    await refuseSome(client, count, "guess");
    return client;
  }
  async function refuseSome(client: SmtpClient, count: number, stem: string): Promise<void> {
    for (let index = 0; index < count; index++) expect((await client.send(`RCPT TO:<${stem}${index}@help.acme.test>`)).code).toBe(550);
  }

  it("gets 421 4.7.0 and is closed once INBOUND_MAX_REFUSED_RECIPIENTS were refused, even for an address with a route", async () => {
    await atStartOfAMinute();
    const client = await guessing(first.port, "127.0.0.38", 8);
    expect(await client.send("RCPT TO:<support@help.acme.test>")).toMatchObject({ code: 421, text: "4.7.0 Too many refused recipients, closing connection" });
    await client.closed;
    const refusal = await eventually("the refusal to be logged", () =>
      db.inboundRefusal.findFirst({ where: { clientAddress: "127.0.0.38", reason: "too_many_refused_recipients" } }),
    );
    expect(refusal).toMatchObject({ stage: "rcpt", code: 421, enhancedStatus: "4.7.0", recipient: "support@help.acme.test" });
  });

  it("counts afresh after a message is accepted on the connection", async () => {
    await atStartOfAMinute();
    const client = await guessing(second.port, "127.0.0.39", 7);
    expect((await client.send("RCPT TO:<support@help.acme.test>")).code).toBe(250);
    expect((await client.send("DATA")).code).toBe(354);
    client.write(dataPayload(message()));
    expect((await client.reply()).code).toBe(250);

    expect((await client.send("MAIL FROM:<guess@sender.test>")).code).toBe(250);
    await refuseSome(client, 8, "again");
    expect((await client.send("RCPT TO:<support@help.acme.test>")).code).toBe(421);
    await client.closed;
  });
});

describe("retention", () => {
  it("deletes messages (with their deliveries) and refusals older than MESSAGE_RETENTION_DAYS, and spent counters", async () => {
    const sent = await sendMail(first.port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: message(), localAddress: "127.0.0.35" });
    const id = /queued as ([0-9a-f-]{36})/.exec(sent.data?.text ?? "")![1]!;
    const old = new Date(Date.now() - 31 * 86_400_000);
    await db.inboundMessage.update({ where: { id }, data: { receivedAt: old } });
    const recent = await sendMail(first.port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: message(), localAddress: "127.0.0.35" });
    const recentId = /queued as ([0-9a-f-]{36})/.exec(recent.data?.text ?? "")![1]!;
    await db.inboundRefusal.updateMany({ where: { clientAddress: "127.0.0.34" }, data: { createdAt: old } });

    const result = await pruneInboundMail(db, { MESSAGE_RETENTION_DAYS: 30 }, new Date(Date.now() + 2 * 3_600_000));
    expect(result.messages).toBe(1);
    expect(result.refusals).toBe(2);
    expect(result.counters).toBeGreaterThan(0);
    expect(await db.inboundMessage.count({ where: { id } })).toBe(0);
    expect(await db.inboundDelivery.count({ where: { messageId: id } })).toBe(0);
    expect(await db.inboundMessage.count({ where: { id: recentId } })).toBe(1);
  });

  it("runs as a job on the background worker", async () => {
    const events: JobEvent[] = [];
    const worker = await startWorker({
      config: configWith({ WORKER_HEARTBEAT_INTERVAL: "1s", JOB_SWEEP_INTERVAL: "1s", JOB_POLL_INTERVAL: "500ms" }),
      mode: "separate",
      onJob: (event) => events.push(event),
    });
    try {
      const done = await eventually("the retention job to run", async () => events.find((event) => event.queue === QUEUES.mailRetention && event.phase === "end"));
      // The same hourly job prunes notifications and webhook deliveries (lib/notifications/retention.ts).
      expect(done.result).toMatchObject({ messages: expect.any(Number), refusals: expect.any(Number), notifications: expect.any(Number), webhookDeliveries: expect.any(Number) });
    } finally {
      await worker.stop(2_000);
    }
  });
});

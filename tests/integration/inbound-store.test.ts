import { randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { getDb, getPool, type Queryable } from "@/lib/db/client";
import { uniformAuthentication, type Authentication } from "@/lib/mail/authenticate";
import { MessageWriter, type MessageToStore } from "@/lib/mail/store";
import { resolveAddress, type ResolvedRoute } from "@/lib/routes/address-resolution";

import { seedInboundWorld } from "../support/inbound";
import { eventually } from "../support/jobs";
import { makeRoute } from "../support/routing-fixtures";

/**
 * Group commit (lib/mail/store.ts › MessageWriter): messages that finish while a statement is under
 * way are written together in the next one, each `store` resolving only once the statement holding
 * it has committed; a batch that fails is written again message by message, so one message that
 * cannot be stored fails alone. The gateway answers 250 when `store` resolves, 451 when it rejects.
 */
const db = getDb();
const pool = getPool();
const world = await seedInboundWorld(db);

const AUTH: Authentication = uniformAuthentication("none", { headers: "Authentication-Results: inbound.test; spf=none\r\n" });

async function routeOf(address: string): Promise<ResolvedRoute> {
  const resolved = await resolveAddress(pool, address);
  if (!resolved.route) throw new Error(`no route for ${address}`);
  return resolved.route;
}

function messageTo(address: string, route: ResolvedRoute, subject: string): MessageToStore {
  const raw = Buffer.from(`Subject: ${subject}\r\nFrom: customer@sender.test\r\n\r\nHello.\r\n`);
  return {
    id: randomUUID(),
    receivedAt: new Date(),
    gateway: "writer-test",
    sessionId: randomUUID(),
    clientAddress: "127.0.0.1",
    clientHostname: null,
    helo: "client.sender.test",
    tlsProtocol: null,
    envelopeFrom: "customer@sender.test",
    headerFrom: "customer@sender.test",
    subject,
    messageIdHeader: null,
    sentAt: null,
    size: raw.length,
    traceToken: null,
    headers: [{ name: "Subject", value: subject }],
    hops: [],
    auth: AUTH,
    stored: Buffer.concat([Buffer.from(AUTH.headers), raw]),
    recipients: [{ recipient: address, organizationId: world.acme.id, domainId: world.domains.help.id, route, status: "queued", originalRecipient: null }],
  };
}

describe("storing messages together (group commit)", () => {
  it("writes the messages that waited in one statement, answers each after its commit, and one that cannot be stored fails alone", async () => {
    /** The pool, with the number of messages each statement carried written down. */
    const statements: number[] = [];
    const observe = (config: { values: [string, string] }) => {
      statements.push((JSON.parse(config.values[0]) as unknown[]).length);
      return pool.query(config as never);
    };
    const observed = { query: observe } as unknown as Queryable;
    const writer = new MessageWriter(observed, { maxInFlight: 1 });
    const support = await routeOf("support@help.acme.test");
    const doomed = await makeRoute(db, world.acme.id, world.domains.help, "doomed", world.queues.sales.id);
    const doomedRoute = await routeOf("doomed@help.acme.test");
    await db.route.delete({ where: { id: doomed.id } });

    // Hold the first statement at its insert until the others are waiting behind it.
    const blocker = await pool.connect();
    const outcomes = new Map<string, "stored" | "refused">();
    const track = (subject: string, message: MessageToStore) =>
      writer.store(message).then(
        () => void outcomes.set(subject, "stored"),
        () => void outcomes.set(subject, "refused"),
      );
    let pending: Promise<void>[];
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE inbound_messages IN SHARE MODE");
      const first = track("first", messageTo("support@help.acme.test", support, "first"));
      await eventually("the first statement waiting on the lock", async () => {
        const rows = await db.$queryRaw<{ waiting: number }[]>`SELECT count(*)::int AS waiting FROM pg_locks WHERE relation = 'inbound_messages'::regclass AND NOT granted`;
        return rows[0]!.waiting > 0;
      });
      pending = [
        first,
        track("second", messageTo("support@help.acme.test", support, "second")),
        track("third", messageTo("doomed@help.acme.test", doomedRoute, "third")),
      ];
      // They were compressed and queued before this turn of the event loop ends; nothing more was sent.
      await new Promise((resolve) => setImmediate(resolve));
      expect(statements).toEqual([1]);
      expect(outcomes.size).toBe(0);
    } finally {
      await blocker.query("COMMIT");
      blocker.release();
    }
    await Promise.all(pending);

    expect(Object.fromEntries(outcomes)).toEqual({ first: "stored", second: "stored", third: "refused" });
    // The first alone; the two that waited together (refused as a whole: the third's route is gone); then each on its own.
    expect(statements).toEqual([1, 2, 1, 1]);
    const stored = await db.inboundMessage.findMany({ where: { gateway: "writer-test" }, include: { deliveries: true }, orderBy: { subject: "asc" } });
    expect(stored.map((message) => [message.subject, message.deliveries.map((delivery) => delivery.recipient)])).toEqual([
      ["first", ["support@help.acme.test"]],
      ["second", ["support@help.acme.test"]],
    ]);
    expect(gunzipSync(stored[0]!.rawGzip).toString("utf8")).toBe(`${AUTH.headers}Subject: first\r\nFrom: customer@sender.test\r\n\r\nHello.\r\n`);
  });
});

import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { disconnectDb, getDb, selectDatabase } from "@/lib/db/client";
import { findFreePort, startEmbeddedPostgres, type EmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { startGateway } from "@/lib/mail/gateway";

import { inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { dataPayload, message, SmtpClient } from "../support/smtp";

/**
 * The gateway on a PostgreSQL server of its own that the test stops and starts again: with the
 * database gone it keeps answering, but only with 451 4.3.0 (try again later); nothing is
 * half-stored, and the sender's retry succeeds once the database is back.
 */
await disconnectDb();
const dir = await mkdtemp(path.join(os.tmpdir(), "erc-inbound-pg-"));
await chmod(dir, 0o755);
const pgPort = await findFreePort();
const startServer = () => startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: pgPort, password: "test-password" });
let server: EmbeddedPostgres | null = await startServer();
const admin = new pg.Client({ connectionString: server.connectionString("postgres") });
await admin.connect();
await admin.query("CREATE DATABASE inbound_down");
await admin.end();
const url = server.connectionString("inbound_down");
selectDatabase(url);
await migrate(url);
const db = getDb();
await seedInboundWorld(db);
const dns = await startSenderDns();
const { config } = await inboundConfig(dns);
const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });

afterAll(async () => {
  await gateway.stop(2_000);
  await disconnectDb();
  await dns.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("with the database stopped", () => {
  it("answers 451 4.3.0 at DATA for a transaction that began before and at RCPT TO after; nothing is half-stored and the retry is stored once the database is back", async () => {
    const { client: started } = await SmtpClient.connect(gateway.port);
    await started.send("EHLO client.sender.test");
    expect((await started.send("MAIL FROM:<customer@sender.test>")).code).toBe(250);
    expect((await started.send("RCPT TO:<support@help.acme.test>")).code).toBe(250);
    expect((await started.send("DATA")).code).toBe(354);
    const before = await db.inboundMessage.count();
    expect(before).toBe(0);

    await server!.stop();
    server = null;

    started.write(dataPayload(message({ subject: "Lost database" })));
    expect(await started.reply()).toMatchObject({ code: 451, text: "4.3.0 Temporary failure, please try again later" });
    started.close();

    // New sessions are still greeted (limits fail open) and told to come back later at RCPT TO.
    const { client, greeting } = await SmtpClient.connect(gateway.port);
    expect(greeting.code).toBe(220);
    await client.send("EHLO client.sender.test");
    expect((await client.send("MAIL FROM:<customer@sender.test>")).code).toBe(250);
    expect(await client.send("RCPT TO:<support@help.acme.test>")).toMatchObject({ code: 451, text: "4.3.0 Temporary failure, please try again later" });
    client.close();

    // The database comes back: nothing of the interrupted message was stored, and the retry is.
    server = await startServer();
    expect(await db.inboundMessage.count()).toBe(0);
    expect(await db.inboundDelivery.count()).toBe(0);
    const { client: retry } = await SmtpClient.connect(gateway.port);
    await retry.send("EHLO client.sender.test");
    await retry.send("MAIL FROM:<customer@sender.test>");
    expect((await retry.send("RCPT TO:<support@help.acme.test>")).code).toBe(250);
    expect((await retry.send("DATA")).code).toBe(354);
    retry.write(dataPayload(message({ subject: "Lost database" })));
    expect((await retry.reply()).code).toBe(250);
    retry.close();
    expect(await db.inboundMessage.count({ where: { subject: "Lost database" } })).toBe(1);
  });
});

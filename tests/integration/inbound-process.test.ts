import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import { findFreePort } from "@/lib/db/embedded-postgres";
import { startGateway } from "@/lib/mail/gateway";

import { inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { dataPayload, message, SmtpClient } from "../support/smtp";

/**
 * `npm run inbound` as its own process against this file's database, killed the hard way
 * (SIGKILL) and the polite way (SIGTERM) in the middle of a transaction.
 */
const db = getDb();
await seedInboundWorld(db);
const dns = await startSenderDns();
const { env, config } = await inboundConfig(dns, { INBOUND_AUTH_DEADLINE: "20s", DNS_TIMEOUT_MS: "15000", SHUTDOWN_TIMEOUT: "15s" });
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await dns.close();
});

async function spawnGateway(): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null>; output: () => string }> {
  const port = await findFreePort();
  const root = process.cwd();
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(root, "scripts/inbound.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, NODE_ENV: "test", LOG_LEVEL: "info", INBOUND_SMTP_HOST: "127.0.0.1", INBOUND_SMTP_PORT: String(port) },
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await eventually(
    "the gateway process to listen",
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway process exited (${child.exitCode}): ${output}`);
      return output.includes(`Inbound SMTP gateway listening on port ${port}`);
    },
    // A fresh Node process compiling TypeScript on a busy two-core machine can take a while.
    120_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; output so far: ${output}`);
  });
  return { child, port, exited, output: () => output };
}

async function openTransaction(port: number, to = "support@help.acme.test"): Promise<SmtpClient> {
  const { client } = await SmtpClient.connect(port);
  await client.send("EHLO client.sender.test");
  expect((await client.send("MAIL FROM:<customer@sender.test>")).code).toBe(250);
  expect((await client.send(`RCPT TO:<${to}>`)).code).toBe(250);
  expect((await client.send("DATA")).code).toBe(354);
  return client;
}

describe("a gateway process that dies", () => {
  it("killed with SIGKILL during DATA stores nothing, the client sees no 250, and the sender's retry is stored once", { timeout: 300_000 }, async () => {
    const gateway = await spawnGateway();
    const payload = dataPayload(message({ subject: "Killed mid-DATA" }));
    const client = await openTransaction(gateway.port);
    // Everything but the final dot: the gateway is inside DATA.
    client.write(payload.subarray(0, payload.length - 3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    gateway.child.kill("SIGKILL");
    await client.closed;
    // Nothing after "354 go ahead": no 250, the connection just ended.
    expect(client.log.at(-1)?.code).toBe(354);

    // Killed after the final dot, while the message is being checked (its DNS lookups are held up).
    const second = await spawnGateway();
    dns.setDelay(10_000);
    const before = dns.resolver.queries.length;
    const late = await openTransaction(second.port);
    late.write(dataPayload(message({ subject: "Killed before COMMIT" })));
    await eventually("the gateway to be checking the message's SPF", async () => dns.resolver.queries.slice(before).some((query) => query.name === "sender.test"));
    second.child.kill("SIGKILL");
    await late.closed;
    dns.setDelay(0);
    expect(late.log.at(-1)?.code).toBe(354);
    expect(await db.inboundMessage.count({ where: { subject: { in: ["Killed mid-DATA", "Killed before COMMIT"] } } })).toBe(0);
    expect(await db.inboundDelivery.count()).toBe(0);

    // The sender retries (it never got a 250), here at another instance: stored exactly once.
    const other = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
    try {
      const retry = await openTransaction(other.port);
      retry.write(dataPayload(message({ subject: "Killed before COMMIT" })));
      expect((await retry.reply()).code).toBe(250);
      retry.close();
    } finally {
      await other.stop(2_000);
    }
    expect(await db.inboundMessage.count({ where: { subject: "Killed before COMMIT" } })).toBe(1);
  });
});

describe("SIGTERM", () => {
  it("answers new connections and idle ones 421 while a transaction under way finishes with 250, then exits", { timeout: 180_000 }, async () => {
    const gateway = await spawnGateway();
    const { client: idle } = await SmtpClient.connect(gateway.port);
    expect((await idle.send("EHLO idle.sender.test")).code).toBe(250);
    const busy = await openTransaction(gateway.port);
    const payload = dataPayload(message({ subject: "Finished during shutdown" }));
    busy.write(payload.subarray(0, 200));

    gateway.child.kill("SIGTERM");
    const refused = await eventually("new connections to be refused", async () => {
      const { client, greeting } = await SmtpClient.connect(gateway.port);
      client.close();
      return greeting.code === 421 ? greeting : null;
    });
    expect(refused.text).toBe("4.3.2 Service shutting down, try again later");
    expect(await idle.reply()).toMatchObject({ code: 421 });
    expect(gateway.child.exitCode).toBeNull();

    busy.write(payload.subarray(200));
    const reply = await busy.reply();
    expect(reply.code).toBe(250);
    // The transaction is over: the next one is turned away, and the process leaves on its own.
    expect((await busy.send("MAIL FROM:<customer@sender.test>")).code).toBe(421);
    expect(await gateway.exited).toBe(0);
    expect(await db.inboundMessage.count({ where: { subject: "Finished during shutdown" } })).toBe(1);
  });
});

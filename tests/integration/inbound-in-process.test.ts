import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import { findFreePort } from "@/lib/db/embedded-postgres";
import { startInProcessGateway } from "@/lib/mail/in-process";
import { inProcessGateway } from "@/lib/mail/gateway-state";
import { runShutdownHooks } from "@/lib/runtime/shutdown";

import { inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { dataPayload, message, SmtpClient } from "../support/smtp";

/**
 * The gateway `npm start` runs inside the web server (INBOUND_MODE=in-process, the default). On
 * SIGTERM the server runs its shutdown hooks; the gateway's, in the "drain" phase, turns new
 * connections away with 421 while a transaction under way finishes with 250.
 * (`inbound-process.test.ts` does the same for `npm run inbound`.)
 */
const db = getDb();
await seedInboundWorld(db);
const dns = await startSenderDns();
const port = await findFreePort();
const { env } = await inboundConfig(dns, { INBOUND_MODE: "in-process", INBOUND_SMTP_HOST: "127.0.0.1", INBOUND_SMTP_PORT: String(port), SHUTDOWN_TIMEOUT: "15s" });
Object.assign(process.env, env);

afterAll(async () => {
  await runShutdownHooks("close");
  await dns.close();
});

describe("the in-process gateway on SIGTERM", () => {
  it("answers new connections 421 while a transaction under way finishes with 250, then stops", { timeout: 60_000 }, async () => {
    startInProcessGateway();
    await eventually("the gateway to listen", async () => inProcessGateway()?.status()?.state === "listening");

    const { client: busy } = await SmtpClient.connect(port);
    await busy.send("EHLO client.sender.test");
    expect((await busy.send("MAIL FROM:<customer@sender.test>")).code).toBe(250);
    expect((await busy.send("RCPT TO:<support@help.acme.test>")).code).toBe(250);
    expect((await busy.send("DATA")).code).toBe(354);
    const payload = dataPayload(message({ subject: "Finished while the web server drains" }));
    busy.write(payload.subarray(0, 200));

    // What scripts/serve.ts runs on SIGTERM.
    const draining = runShutdownHooks("drain");
    const refused = await eventually("new connections to be refused", async () => {
      const { client, greeting } = await SmtpClient.connect(port);
      client.close();
      return greeting.code === 421 ? greeting : null;
    });
    expect(refused.text).toBe("4.3.2 Service shutting down, try again later");

    busy.write(payload.subarray(200));
    expect((await busy.reply()).code).toBe(250);
    await draining;
    expect(inProcessGateway()?.status()?.state).toBe("stopped");
    expect(await db.inboundMessage.count({ where: { subject: "Finished while the web server drains" } })).toBe(1);
  });
});

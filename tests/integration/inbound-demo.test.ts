import { afterAll, describe, expect, it } from "vitest";

import { seedDemoData, seedDemoMailRouting } from "@/lib/accounts/demo-seed";
import { getDb } from "@/lib/db/client";
import { startGateway } from "@/lib/mail/gateway";

import { inboundConfig, PLATFORM_DOMAIN, startSenderDns } from "../support/inbound";
import { message, sendMail } from "../support/smtp";

/** What `npm start` seeds: the demo organisation receives mail on its platform label at once. */
const db = getDb();
const dns = await startSenderDns();
const { config } = await inboundConfig(dns);

afterAll(() => dns.close());

describe("demo mail routing", () => {
  it("gives Acme a platform label with routes, idempotently, and the gateway accepts mail for them", async () => {
    await seedDemoData(db);
    const addresses = await seedDemoMailRouting(db, PLATFORM_DOMAIN);
    expect(addresses).toEqual([`support@acme.${PLATFORM_DOMAIN}`, `sales@acme.${PLATFORM_DOMAIN}`]);
    await seedDemoMailRouting(db, PLATFORM_DOMAIN);
    expect(await db.route.count()).toBe(2);
    expect(await db.domain.findUniqueOrThrow({ where: { name: `acme.${PLATFORM_DOMAIN}` } })).toMatchObject({ kind: "platform", status: "verified", platformLabel: "acme" });

    const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
    try {
      const sent = await sendMail(gateway.port, { from: "customer@sender.test", to: [addresses[0]!], message: message({ to: addresses[0] }) });
      expect(sent.data?.code).toBe(250);
      expect(await db.inboundDelivery.findFirst({ where: { recipient: addresses[0] } })).toMatchObject({ queueName: "Support", status: "queued" });
    } finally {
      await gateway.stop(2_000);
    }
  });
});

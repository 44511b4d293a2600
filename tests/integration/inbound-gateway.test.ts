import { generateKeyPairSync } from "node:crypto";
import { gunzipSync } from "node:zlib";

import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import { startGateway } from "@/lib/mail/gateway";

import { inboundConfig, PLATFORM_DOMAIN, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { makeRoute } from "../support/routing-fixtures";
import { dataPayload, message, sendMail, SmtpClient } from "../support/smtp";

/**
 * The inbound SMTP gateway over real SMTP on loopback, against a real PostgreSQL and loopback DNS:
 * what it accepts, what it refuses with which reply, and what it stores for each organisation.
 */
const db = getDb();
const world = await seedInboundWorld(db);
const dns = await startSenderDns();
const { config } = await inboundConfig(dns, { INBOUND_MAX_MESSAGE_SIZE: "256KB", INBOUND_MAX_HEADER_SIZE: "32KB", INBOUND_MAX_RECEIVED_HEADERS: "10" });
const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
const port = gateway.port;

afterAll(async () => {
  await gateway.stop(2_000);
  await dns.close();
});

const deliveriesOf = (messageId: string) => db.inboundDelivery.findMany({ where: { messageId }, orderBy: { recipient: "asc" } });
const queuedId = (text: string | undefined) => /queued as ([0-9a-f-]{36})/.exec(text ?? "")?.[1] ?? null;
const refusalsFor = (recipient: string) => db.inboundRefusal.findMany({ where: { recipient }, orderBy: { createdAt: "asc" } });

describe("accepting mail for routed addresses", () => {
  it("stores the message and a delivery into the route's queue before answering 250", async () => {
    const sent = await sendMail(port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: message({ subject: "Where is my order?" }) });
    expect(sent.greeting.text).toContain("inbound-1.platform.test ESMTP");
    expect(sent.rcpts.map((reply) => reply.code)).toEqual([250]);
    expect(sent.data?.code).toBe(250);
    const id = queuedId(sent.data?.text);
    expect(id).not.toBeNull();

    // The reply came after COMMIT: the rows are there the moment the client has its 250.
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: id! } });
    expect(stored).toMatchObject({
      envelopeFrom: "customer@sender.test",
      clientAddress: "127.0.0.1",
      helo: "client.sender.test",
      subject: "Where is my order?",
      headerFrom: '"Customer" <customer@sender.test>',
      spf: "pass",
      dmarc: "pass",
      dkim: "none",
      tlsProtocol: null,
    });
    const raw = gunzipSync(stored.rawGzip).toString("utf8");
    expect(raw).toMatch(/^Received: from client\.sender\.test \(\[127\.0\.0\.1\]\)\r\n\tby inbound-1\.platform\.test/);
    expect(raw).toContain("Authentication-Results: inbound-1.platform.test;");
    expect(raw).toContain("Hello, my order has not arrived.");
    expect(stored.hops).toEqual([]);

    const [delivery] = await deliveriesOf(id!);
    expect(delivery).toMatchObject({
      organizationId: world.acme.id,
      recipient: "support@help.acme.test",
      routeId: world.routes.support.id,
      status: "queued",
      queueId: world.queues.support.id,
      queueName: "Support",
      priority: 3,
      skills: ["Billing"],
      skillIds: [world.skills.billing.id],
      languageName: "English",
      originalRecipient: null,
    });
  });

  it("matches the local part case-insensitively, and platform labels like custom domains", async () => {
    const sent = await sendMail(port, {
      from: "customer@sender.test",
      to: ["SUPPORT@Help.Acme.Test", `Support@acme.${PLATFORM_DOMAIN}`],
      message: message(),
    });
    expect(sent.rcpts.map((reply) => reply.code)).toEqual([250, 250]);
    const deliveries = await deliveriesOf(queuedId(sent.data?.text)!);
    expect(deliveries.map((delivery) => delivery.routeId).sort()).toEqual([world.routes.support.id, world.routes.platform.id].sort());
  });

  it("keeps 8-bit content byte for byte, and accepts bare LF lines and a message without headers", async () => {
    const eightBit = Buffer.concat([Buffer.from("From: client@sender.test\r\nSubject: =?UTF-8?B?QmVzdGVsbHVuZyDDvGJlcg==?=\r\n\r\n", "latin1"), Buffer.from("Grüße aus Köln — 東京\r\n", "utf8")]);
    const sent = await sendMail(port, { from: "client@sender.test", to: ["support@help.acme.test"], message: eightBit, mailParams: "BODY=8BITMIME" });
    expect(sent.data?.code).toBe(250);
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(sent.data?.text)! } });
    expect(stored.subject).toBe("Bestellung über");
    expect(gunzipSync(stored.rawGzip).includes(eightBit)).toBe(true);

    const bareLf = await sendMail(port, { from: "client@sender.test", to: ["support@help.acme.test"], message: "Subject: bare\nFrom: a@sender.test\n\nline one\nline two\n" });
    expect(bareLf.data?.code).toBe(250);
    expect((await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(bareLf.data?.text)! } })).subject).toBe("bare");

    const headerless = await sendMail(port, { from: "", to: ["support@help.acme.test"], message: "\r\njust a body, no headers at all\r\n" });
    expect(headerless.mail.code).toBe(250);
    expect(headerless.data?.code).toBe(250);
    const bare = await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(headerless.data?.text)! } });
    expect(bare).toMatchObject({ subject: null, messageIdHeader: null, headerFrom: null, envelopeFrom: "", headers: [] });
  });

  it("accepts malformed messages as received: no From, Date or Message-ID, a header line without a colon, raw non-UTF-8 header bytes, NUL and overlong lines", async () => {
    const malformed = Buffer.concat([
      Buffer.from("Subject: Broken but delivered\r\nthis header line has no colon\r\nX-Legacy: caf", "latin1"),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(`\r\n\r\nA NUL byte: \u0000 here\r\n${"z".repeat(2_000)}\r\nlast line\r\n`, "latin1"),
    ]);
    const sent = await sendMail(port, { from: "client@sender.test", to: ["support@help.acme.test"], message: malformed });
    expect(sent.data?.code).toBe(250);
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(sent.data?.text)! } });
    // Kept byte for byte for whoever opens it; the log fields that have no source are empty, not invented.
    expect(gunzipSync(stored.rawGzip).includes(malformed)).toBe(true);
    expect(stored).toMatchObject({ headerFrom: null, messageIdHeader: null, sentAt: null, size: malformed.length });
    const [delivery] = await deliveriesOf(stored.id);
    expect(delivery).toMatchObject({ recipient: "support@help.acme.test", status: "queued", queueName: "Support" });
  });

  it("delivers a message with 100 recipients across routes of two organisations, each organisation seeing only its own", async () => {
    const acmeRoutes = await Promise.all(
      Array.from({ length: 60 }, (_, index) => db.route.create({
        data: { organizationId: world.acme.id, domainId: world.domains.help.id, pattern: `agent${index}`, patternKey: `agent${index}`, address: `agent${index}@help.acme.test`, queueId: world.queues.sales.id, fromName: "Acme" },
      })),
    );
    const initechRoutes = await Promise.all(
      Array.from({ length: 40 }, (_, index) => db.route.create({
        data: { organizationId: world.initech.id, domainId: world.domains.initech.id, pattern: `desk${index}`, patternKey: `desk${index}`, address: `desk${index}@help.initech.test`, queueId: world.queues.initech.id, fromName: "Initech" },
      })),
    );
    const to = [...acmeRoutes, ...initechRoutes].map((route) => route.address);
    expect(to).toHaveLength(100);
    const sent = await sendMail(port, { from: "customer@sender.test", to, message: message({ to: "undisclosed-recipients:;" }) });
    expect(sent.rcpts.every((reply) => reply.code === 250)).toBe(true);
    expect(sent.data?.code).toBe(250);
    const id = queuedId(sent.data?.text)!;
    expect(await db.inboundMessage.count({ where: { id } })).toBe(1);
    const acmeSees = await db.inboundDelivery.findMany({ where: { messageId: id, organizationId: world.acme.id } });
    const initechSees = await db.inboundDelivery.findMany({ where: { messageId: id, organizationId: world.initech.id } });
    expect(acmeSees).toHaveLength(60);
    expect(initechSees).toHaveLength(40);
    expect(initechSees.every((delivery) => delivery.recipient.endsWith("@help.initech.test") && delivery.queueName === "Initech desk")).toBe(true);

    // The 101st recipient of one message is deferred (452): the sender sends it separately.
    const { client } = await SmtpClient.connect(port);
    await client.send("EHLO client.sender.test");
    await client.send("MAIL FROM:<customer@sender.test>");
    for (const address of to) expect((await client.send(`RCPT TO:<${address}>`)).code).toBe(250);
    const extra = await client.send("RCPT TO:<support@help.acme.test>");
    expect(extra).toMatchObject({ code: 452, text: "4.5.3 Too many recipients" });
    client.close();
  });

  it("offers STARTTLS with the configured (here generated) certificate", async () => {
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, name: "tls.sender.test", tls: { rejectUnauthorized: false } });
    const info = await transport.sendMail({ from: "customer@sender.test", to: "support@help.acme.test", subject: "Over TLS", text: "Encrypted hello" });
    transport.close();
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(info.response)! } });
    expect(stored.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(gunzipSync(stored.rawGzip).toString("utf8")).toMatch(/with ESMTPS/);
  });

  it("records the address the customer wrote to when their mail server redirected it (scenarios 2 and 4)", async () => {
    const sent = await sendMail(port, {
      from: "customer@sender.test",
      to: ["support@copies.acme.test", `support@acme.${PLATFORM_DOMAIN}`],
      message: message({ to: "Acme Support <support@acme-own.test>", headers: ["Received: from mx.acme-own.test by relay.acme-own.test; Tue, 01 Dec 2026 10:00:03 +0000", "Received: from mail.sender.test ([198.51.100.7]) by mx.acme-own.test; Tue, 01 Dec 2026 10:00:01 +0000"] }),
    });
    const deliveries = await deliveriesOf(queuedId(sent.data?.text)!);
    expect(deliveries.map((delivery) => [delivery.recipient, delivery.originalRecipient])).toEqual([
      ["support@acme.routing.platform.test", "support@acme-own.test"],
      ["support@copies.acme.test", "support@acme-own.test"],
    ]);
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: deliveries[0]!.messageId } });
    expect(stored.hops).toMatchObject([
      { by: "mx.acme-own.test", ip: "198.51.100.7", delaySeconds: null },
      { by: "relay.acme-own.test", delaySeconds: 2 },
    ]);
  });
});

describe("authentication", () => {
  it("verifies a DKIM signature against the key the sender publishes (through our resolver)", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const published = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    dns.publish({ name: "s1._domainkey.sender.test", type: "TXT", data: `v=DKIM1; k=rsa; p=${published}` });
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port,
      secure: false,
      ignoreTLS: true,
      name: "client.sender.test",
      dkim: { domainName: "sender.test", keySelector: "s1", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
    });
    const info = await transport.sendMail({ from: "news@sender.test", to: "support@help.acme.test", subject: "Signed", text: "Signed hello" });
    transport.close();
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id: queuedId(info.response)! } });
    expect(stored).toMatchObject({ dkim: "pass", dmarc: "pass" });
    expect(stored.authDetails).toMatchObject({ dkim: [{ domain: "sender.test", selector: "s1", verdict: "pass", aligned: true }] });
  });
});

describe("DMARC", () => {
  it("sends a message failing a reject policy to the route's spam queue, or flags it when the route has none", async () => {
    const sent = await sendMail(port, {
      from: "ceo@spoofed.test",
      to: ["support@help.acme.test", "sales@help.acme.test"],
      message: message({ from: "The CEO <ceo@spoofed.test>", subject: "Urgent wire transfer" }),
    });
    expect(sent.data?.code).toBe(250);
    const id = queuedId(sent.data?.text)!;
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ spf: "fail", dmarc: "fail", dmarcPolicy: "reject" });
    const deliveries = await deliveriesOf(id);
    expect(deliveries.map((delivery) => [delivery.recipient, delivery.status, delivery.queueName])).toEqual([
      ["sales@help.acme.test", "flagged", "Sales"],
      ["support@help.acme.test", "spam", "Spam review"],
    ]);
  });
});

describe("DMARC policies", () => {
  it("files a failing message under p=quarantine like p=reject, and one under p=none as ordinary mail (the policy only asks for reports)", async () => {
    dns.publish(
      { name: "q.spoofed.test", type: "TXT", data: "v=spf1 ip4:192.0.2.1 -all" },
      { name: "_dmarc.q.spoofed.test", type: "TXT", data: "v=DMARC1; p=quarantine" },
      { name: "n.spoofed.test", type: "TXT", data: "v=spf1 ip4:192.0.2.1 -all" },
      { name: "_dmarc.n.spoofed.test", type: "TXT", data: "v=DMARC1; p=none" },
    );
    const quarantined = await sendMail(port, { from: "billing@q.spoofed.test", to: ["support@help.acme.test"], message: message({ from: "Billing <billing@q.spoofed.test>" }) });
    const id = queuedId(quarantined.data?.text)!;
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ dmarc: "fail", dmarcPolicy: "quarantine" });
    expect(await deliveriesOf(id)).toMatchObject([{ status: "spam", queueName: "Spam review" }]);

    const monitored = await sendMail(port, { from: "billing@n.spoofed.test", to: ["support@help.acme.test"], message: message({ from: "Billing <billing@n.spoofed.test>" }) });
    const noneId = queuedId(monitored.data?.text)!;
    expect(await db.inboundMessage.findUniqueOrThrow({ where: { id: noneId } })).toMatchObject({ dmarc: "fail", dmarcPolicy: "none" });
    expect(await deliveriesOf(noneId)).toMatchObject([{ status: "queued", queueName: "Support" }]);
  });
});

describe("refusals", () => {
  it("550 5.1.1 for an unknown address on one of our domains, naming the closest routes in the log", async () => {
    const sent = await sendMail(port, { from: "customer@sender.test", to: ["suport@help.acme.test"], message: message() });
    expect(sent.rcpts[0]).toMatchObject({ code: 550, text: "5.1.1 <suport@help.acme.test>: Recipient address rejected: no such address here" });
    expect(sent.data).toBeNull();
    const [refusal] = await eventually("the refusal to be logged", async () => {
      const rows = await refusalsFor("suport@help.acme.test");
      return rows.length > 0 ? rows : null;
    });
    expect(refusal).toMatchObject({
      organizationId: world.acme.id,
      domainId: world.domains.help.id,
      stage: "rcpt",
      code: 550,
      enhancedStatus: "5.1.1",
      reason: "no_route",
      explanation: expect.stringMatching(/^No route for suport@help\.acme\.test; the closest routes? (is|are) support@help\.acme\.test/),
      envelopeFrom: "customer@sender.test",
    });
    expect(refusal!.closestRoutes[0]).toBe("support@help.acme.test");
    // Nothing alike: no suggestions rather than every route on the domain.
    await sendMail(port, { from: "customer@sender.test", to: ["nobody@help.acme.test"], message: message() });
    const [unlike] = await eventually("the refusal to be logged", async () => ((await refusalsFor("nobody@help.acme.test")).length ? refusalsFor("nobody@help.acme.test") : null));
    expect(unlike).toMatchObject({ closestRoutes: [], explanation: "No route for nobody@help.acme.test; help.acme.test has no route like it." });
    // An unused platform label is ours too: unknown address, not a relay attempt.
    const label = await sendMail(port, { from: "customer@sender.test", to: [`support@nobody.${PLATFORM_DOMAIN}`], message: message() });
    expect(label.rcpts[0]?.code).toBe(550);
    expect(label.rcpts[0]?.text).toMatch(/^5\.1\.1 /);
  });

  it("450 4.7.1 for a domain that is ours but still pending, so the sender retries", async () => {
    const sent = await sendMail(port, { from: "customer@sender.test", to: ["support@new.acme.test"], message: message() });
    expect(sent.rcpts[0]).toMatchObject({ code: 450, text: expect.stringMatching(/^4\.7\.1 <support@new\.acme\.test>: .*try again later$/) });
    const [refusal] = await eventually("the refusal to be logged", async () => ((await refusalsFor("support@new.acme.test")).length ? refusalsFor("support@new.acme.test") : null));
    expect(refusal).toMatchObject({ organizationId: world.acme.id, reason: "domain_not_verified", code: 450 });
  });

  it("550 5.7.1 for any other domain: never an open relay", async () => {
    const sent = await sendMail(port, { from: "spammer@sender.test", to: ["victim@elsewhere.test", "support@help.acme.test"], message: message() });
    expect(sent.rcpts[0]).toMatchObject({ code: 550, text: "5.7.1 <victim@elsewhere.test>: Relaying denied" });
    // Only the routed recipient got the message.
    const deliveries = await deliveriesOf(queuedId(sent.data?.text)!);
    expect(deliveries.map((delivery) => delivery.recipient)).toEqual(["support@help.acme.test"]);
    const [refusal] = await eventually("the refusal to be logged", async () => ((await refusalsFor("victim@elsewhere.test")).length ? refusalsFor("victim@elsewhere.test") : null));
    expect(refusal).toMatchObject({ organizationId: null, recipientDomain: "elsewhere.test", reason: "relay_denied", reply: "550 5.7.1 <victim@elsewhere.test>: Relaying denied" });
    expect(await db.inboundDelivery.count({ where: { recipient: "victim@elsewhere.test" } })).toBe(0);
  });

  it("501 for an address without a domain, 550 5.1.1 for a local part no route can have, 550 5.7.1 for address literals", async () => {
    const { client } = await SmtpClient.connect(port);
    await client.send("EHLO client.sender.test");
    await client.send("MAIL FROM:<customer@sender.test>");
    // smtp-server answers this itself (only <postmaster> may go without a domain: see the postmaster test).
    expect(await client.send("RCPT TO:<support>")).toMatchObject({ code: 501, text: "Error: Bad recipient address syntax" });
    expect(await client.send("RCPT TO:<user@[192.0.2.1]>")).toMatchObject({ code: 550, text: "5.7.1 <user@[192.0.2.1]>: Relaying denied" });
    // Longer than any route pattern may be, on a domain of ours: an unknown address, not bad syntax.
    expect(await client.send(`RCPT TO:<${"a".repeat(70)}@help.acme.test>`)).toMatchObject({ code: 550, text: expect.stringMatching(/^5\.1\.1 /) });
    client.close();
  });

  it("postmaster@ a verified domain is refused 550 5.1.1 until the admin routes it, with the log saying why it matters; then it reaches the route's queue", async () => {
    const refused = await sendMail(port, { from: "mailer-daemon@sender.test", to: ["postmaster@help.acme.test"], message: message({ subject: "Delivery problem" }) });
    expect(refused.rcpts[0]).toMatchObject({ code: 550, text: "5.1.1 <postmaster@help.acme.test>: Recipient address rejected: no such address here" });
    expect(refused.data).toBeNull();
    const [refusal] = await eventually("the refusal to be logged", async () => ((await refusalsFor("postmaster@help.acme.test")).length ? refusalsFor("postmaster@help.acme.test") : null));
    expect(refusal).toMatchObject({
      organizationId: world.acme.id,
      domainId: world.domains.help.id,
      reason: "no_route",
      closestRoutes: [],
      explanation: expect.stringMatching(/RFC 5321 .*add a route for postmaster@help\.acme\.test to receive it in a queue\.$/),
    });
    // RFC 5321 allows <postmaster> without a domain: valid syntax (not 501), but this host has no mailbox of its own.
    const { client } = await SmtpClient.connect(port);
    await client.send("EHLO client.sender.test");
    await client.send("MAIL FROM:<mailer-daemon@sender.test>");
    expect(await client.send("RCPT TO:<Postmaster>")).toMatchObject({ code: 550, text: "5.1.1 <Postmaster>: Recipient address rejected: no such address here" });
    client.close();
    // Not on a domain that is still pending either: the sender retries like for any address there.
    const pending = await sendMail(port, { from: "mailer-daemon@sender.test", to: ["postmaster@new.acme.test"], message: message() });
    expect(pending.rcpts[0]?.code).toBe(450);

    // Once the admin creates the route, postmaster@ is an address like any other (any case).
    const route = await makeRoute(db, world.acme.id, world.domains.help, "postmaster", world.queues.support.id);
    const routed = await sendMail(port, { from: "mailer-daemon@sender.test", to: ["PostMaster@help.acme.test"], message: message({ subject: "Delivery problem" }) });
    expect(routed.rcpts[0]?.code).toBe(250);
    expect(routed.data?.code).toBe(250);
    const [delivery] = await deliveriesOf(queuedId(routed.data?.text)!);
    expect(delivery).toMatchObject({ organizationId: world.acme.id, routeId: route.id, queueName: "Support", status: "queued" });
  });

  it("552 for a message over INBOUND_MAX_MESSAGE_SIZE, announced in EHLO and checked at MAIL FROM", async () => {
    const { client } = await SmtpClient.connect(port);
    const ehlo = await client.send("EHLO client.sender.test");
    expect(ehlo.lines.map((line) => line.slice(4))).toContain(`SIZE ${256 * 1024}`);
    expect((await client.send(`MAIL FROM:<customer@sender.test> SIZE=${300 * 1024}`)).code).toBe(552);
    client.close();

    const before = await db.inboundMessage.count();
    const big = message({ subject: "Huge attachment", body: "x".repeat(76).concat("\r\n").repeat(4000) });
    const sent = await sendMail(port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: big });
    expect(sent.data).toMatchObject({ code: 552, text: `5.3.4 Message size exceeds fixed maximum message size (${256 * 1024} bytes)` });
    expect(await db.inboundMessage.count()).toBe(before);
    const refusal = await eventually("the refusal to be logged", async () => db.inboundRefusal.findFirst({ where: { reason: "message_too_large" } }));
    expect(refusal).toMatchObject({ stage: "data", organizationId: world.acme.id, recipient: "support@help.acme.test", code: 552 });
  });

  it("552 for a huge header section and 554 for a message that loops (too many Received headers)", async () => {
    const huge = message({ headers: [`X-Filler: ${"y".repeat(40 * 1024)}`] });
    const sent = await sendMail(port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: huge });
    expect(sent.data).toMatchObject({ code: 552, text: expect.stringMatching(/^5\.3\.4 Message header size exceeds limit/) });

    const hops = Array.from({ length: 11 }, (_, index) => `Received: from hop${index}.test by hop${index + 1}.test; Tue, 01 Dec 2026 10:00:00 +0000`);
    const looping = await sendMail(port, { from: "customer@sender.test", to: ["support@help.acme.test"], message: message({ headers: hops }) });
    expect(looping.data).toMatchObject({ code: 554, text: "5.4.6 Too many hops (11 Received headers): mail loop" });
    const refusal = await eventually("the refusal to be logged", async () => db.inboundRefusal.findFirst({ where: { reason: "mail_loop" } }));
    expect(refusal).toMatchObject({ code: 554, enhancedStatus: "5.4.6", subject: "Where is my order?" });
  });

  it("stores nothing of a message when any part of its transaction fails (451), and the sender's retry then works", async () => {
    const temporary = await db.route.create({
      data: { organizationId: world.acme.id, domainId: world.domains.help.id, pattern: "temp", patternKey: "temp", address: "temp@help.acme.test", queueId: world.queues.sales.id, fromName: "Acme" },
    });
    const before = await db.inboundMessage.count();
    const { client } = await SmtpClient.connect(port);
    await client.send("EHLO client.sender.test");
    await client.send("MAIL FROM:<customer@sender.test>");
    expect((await client.send("RCPT TO:<support@help.acme.test>")).code).toBe(250);
    expect((await client.send("RCPT TO:<temp@help.acme.test>")).code).toBe(250);
    expect((await client.send("DATA")).code).toBe(354);
    // The second recipient's route disappears mid-transaction: its delivery cannot be written.
    await db.route.delete({ where: { id: temporary.id } });
    client.write(dataPayload(message({ subject: "Half a message?" })));
    expect(await client.reply()).toMatchObject({ code: 451, text: "4.3.0 Temporary failure, please try again later" });
    client.close();
    expect(await db.inboundMessage.count()).toBe(before);
    expect(await db.inboundDelivery.count({ where: { recipient: "support@help.acme.test", message: { subject: "Half a message?" } } })).toBe(0);
  });
});

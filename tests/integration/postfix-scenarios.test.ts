import { generateKeyPairSync } from "node:crypto";
import { gunzipSync } from "node:zlib";

import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";
import type { RedirectRule } from "@/lib/domains/redirects";
import { startGateway, type InboundGateway } from "@/lib/mail/gateway";
import type { Hop } from "@/lib/mail/types";

import type { DnsWorld } from "../support/dns-server";
import { inboundConfig, PLATFORM_DOMAIN, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { MISSING_POSTFIX_MESSAGE, postfixAvailable, startCustomerMailServer, startPostfix, type PostfixInstance } from "../support/postfix";
import { makeDomain, makeLanguage, makeQueue, makeRoute, makeSkill, seedRoutingOrganizations } from "../support/routing-fixtures";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";

/**
 * Scenarios 2 and 4 end to end: a real Postfix plays the admin's own mail server for acme.test,
 * configured exactly as the console's Postfix instructions say (the same `postfixCopyConfig`), and
 * hands the redirected copy to our real inbound gateway (real PostgreSQL, DNS only from a loopback
 * server). The customer writes to support@acme.test; the admin's mailbox behind Postfix must keep
 * its copy, and the redirected one must land in the right queue with support@acme.test recorded as
 * the address the customer wrote to.
 */
const available = postfixAvailable();
if (!available) {
  if (process.env.CI) throw new Error(MISSING_POSTFIX_MESSAGE);
  console.warn(MISSING_POSTFIX_MESSAGE);
}

const customer = "jo@sender.test"; // sender.test's SPF (loopback DNS) allows 127.0.0.0/8, where Postfix relays from
const platformAddress = `support@acme.${PLATFORM_DOMAIN}`;
const scenario2: RedirectRule = { from: "support@acme.test", to: "support@help.acme.test" };
const scenario4: RedirectRule = { from: "support@acme.test", to: platformAddress };

const db = getDb();
let dns: DnsWorld;
let gateway: InboundGateway;
/** The admin's mailbox (acme.test's own delivery) and the customer's server (bounces come back there). */
let mailbox: SmtpSink;
let customerServer: SmtpSink;
const instances: PostfixInstance[] = [];
let world: Awaited<ReturnType<typeof seedAcme>>;

async function seedAcme() {
  const { acme } = await seedRoutingOrganizations(db);
  const help = await makeDomain(db, acme.id, "help.acme.test", { scenario: "own_domain_with_copies" });
  const label = await makeDomain(db, acme.id, `acme.${PLATFORM_DOMAIN}`, { scenario: "platform_domain_with_copies" });
  const [support, spamReview, platformDesk, billing, returns, english, french] = await Promise.all([
    makeQueue(db, acme.id, "Support"),
    makeQueue(db, acme.id, "Spam review"),
    makeQueue(db, acme.id, "Platform desk"),
    makeSkill(db, acme.id, "Billing"),
    makeSkill(db, acme.id, "Returns"),
    makeLanguage(db, acme.id, "English"),
    makeLanguage(db, acme.id, "French"),
  ]);
  const helpRoute = await makeRoute(db, acme.id, help, "support", support.id, { skillIds: [billing.id], priority: 3 });
  const platformRoute = await makeRoute(db, acme.id, label, "support", platformDesk.id, { skillIds: [returns.id], priority: 8 });
  await db.route.update({ where: { id: helpRoute.id }, data: { languageId: english.id, spamQueueId: spamReview.id } });
  await db.route.update({ where: { id: platformRoute.id }, data: { languageId: french.id } });
  return { acme, routes: { help: helpRoute, platform: platformRoute }, queues: { support, spamReview, platformDesk }, skills: { billing, returns } };
}

/** Acme's own Postfix for one scenario: acme.test is its domain; the redirect target is our gateway. */
async function acmeMailServer(rule: RedirectRule, extraMainCf: string[] = [], gatewayPort = gateway.port): Promise<PostfixInstance> {
  const targetDomain = rule.to.slice(rule.to.indexOf("@") + 1);
  const postfix = await startCustomerMailServer({
    rules: [rule],
    ownDomains: ["acme.test"],
    transports: { "acme.test": mailbox.port, [targetDomain]: gatewayPort, "sender.test": customerServer.port },
    extraMainCf,
  });
  instances.push(postfix);
  return postfix;
}

async function sendAsCustomer(
  postfix: PostfixInstance,
  subject: string,
  options: { from?: string; to?: string; headerTo?: string; text?: string; dkim?: { domainName: string; keySelector: string; privateKey: string } } = {},
) {
  const from = options.from ?? customer;
  const to = options.to ?? "support@acme.test";
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: postfix.port, secure: false, ignoreTLS: true, name: "mx.sender.test", dkim: options.dkim });
  try {
    return await transport.sendMail({
      envelope: { from, to: [to] },
      from: `Jo Customer <${from}>`,
      replyTo: "jo.replies@sender.test",
      to: options.headerTo ?? `Acme Support <${to}>`,
      subject,
      text: options.text ?? "My order has not arrived.",
    });
  } finally {
    transport.close();
  }
}

/** The delivery our gateway stored for `recipient` from the message with this subject, once it is there. */
async function storedDelivery(postfix: PostfixInstance, recipient: string, subject: string) {
  return eventually(`a delivery to ${recipient} of "${subject}"`, () =>
    db.inboundDelivery.findFirst({ where: { recipient, message: { subject } }, include: { message: true } }),
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await postfix.maillog()}`);
  });
}

/** What the admin's mailbox received with this subject, once it is there. */
async function mailboxCopy(postfix: PostfixInstance, subject: string) {
  return eventually(`the mailbox copy of "${subject}"`, async () => mailbox.messages.find((message) => message.header("subject") === subject)).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await postfix.maillog()}`);
  });
}

/**
 * The customer writes to support@acme.test through the admin's Postfix; the admin's own mailbox
 * keeps its copy, from the customer, as before the redirect. Returns that copy.
 */
async function sendAndExpectMailboxCopy(postfix: PostfixInstance, subject: string) {
  const sent = await sendAsCustomer(postfix, subject);
  expect(sent.accepted).toEqual(["support@acme.test"]);
  const copy = await mailboxCopy(postfix, subject);
  expect(copy.recipients).toEqual(["support@acme.test"]);
  expect(copy.envelopeFrom).toBe(customer);
  return copy;
}

const postfixHop = (hops: Hop[]) => hops.find((hop) => /^postfix\.test\b/.test(hop.by ?? ""));

describe.skipIf(!available)("a customer's Postfix redirecting with a copy, into our gateway", () => {
  beforeAll(async () => {
    world = await seedAcme();
    dns = await startSenderDns();
    const { config } = await inboundConfig(dns);
    gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
    [mailbox, customerServer] = await Promise.all([startSmtpSink(), startSmtpSink()]);
  });

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const postfix of instances) await postfix.stop().catch((error: unknown) => failures.push(error));
    await gateway?.stop(2_000);
    await Promise.all([mailbox?.close(), customerServer?.close(), dns?.close()]);
    if (failures.length > 0) throw failures[0];
  });

  it("scenario 2: the mailbox keeps its copy and the redirected one reaches the help.acme.test route's queue with the original recipient", async () => {
    const postfix = await acmeMailServer(scenario2);
    const subject = "Where is order 1234?";
    const copy = await sendAndExpectMailboxCopy(postfix, subject);
    expect(copy.header("from")).toBe(`Jo Customer <${customer}>`);

    const delivery = await storedDelivery(postfix, "support@help.acme.test", subject);
    expect(delivery).toMatchObject({
      organizationId: world.acme.id,
      routeId: world.routes.help.id,
      status: "queued",
      queueId: world.queues.support.id,
      queueName: "Support",
      priority: 3,
      skillIds: [world.skills.billing.id],
      skills: ["Billing"],
      languageName: "English",
      originalRecipient: "support@acme.test",
    });
    // Redirected, not forwarded: the customer is still the sender and where replies go.
    const stored = delivery.message;
    expect(stored).toMatchObject({ envelopeFrom: customer, headerFrom: `"Jo Customer" <${customer}>`, clientAddress: "127.0.0.1", helo: "postfix.test", spf: "pass" });
    expect(stored.messageIdHeader).toBe(copy.header("message-id"));
    const raw = gunzipSync(stored.rawGzip).toString("utf8");
    expect(raw).toContain("Reply-To: jo.replies@sender.test");
    expect(raw).toMatch(/^Received: from postfix\.test \(\[127\.0\.0\.1\]\)\r\n\tby inbound-1\.platform\.test/);

    // Postfix's hop is in the chain the Messages log shows: it received from the customer's server
    // for support@acme.test, and is the newest hop before ours.
    const hops = stored.hops as unknown as Hop[];
    expect(hops.at(-1)).toBe(postfixHop(hops));
    expect(postfixHop(hops)).toMatchObject({ ip: "127.0.0.1", for: "support@acme.test", with: expect.stringMatching(/^ESMTP/) });
    expect(postfixHop(hops)?.from).toMatch(/^mx\.sender\.test\b/);

    expect(customerServer.messages).toEqual([]);
  }, 120_000);

  it("scenario 4: the mailbox keeps its copy and the redirected one reaches the platform label route's queue with the original recipient", async () => {
    const postfix = await acmeMailServer(scenario4);
    const subject = "Return label, please";
    const copy = await sendAndExpectMailboxCopy(postfix, subject);

    const delivery = await storedDelivery(postfix, platformAddress, subject);
    expect(delivery).toMatchObject({
      organizationId: world.acme.id,
      routeId: world.routes.platform.id,
      status: "queued",
      queueId: world.queues.platformDesk.id,
      queueName: "Platform desk",
      priority: 8,
      skillIds: [world.skills.returns.id],
      skills: ["Returns"],
      languageName: "French",
      originalRecipient: "support@acme.test",
    });
    expect(delivery.message).toMatchObject({ envelopeFrom: customer, headerFrom: `"Jo Customer" <${customer}>`, helo: "postfix.test" });
    expect(delivery.message.messageIdHeader).toBe(copy.header("message-id"));
    expect(postfixHop(delivery.message.hops as unknown as Hop[])).toMatchObject({ ip: "127.0.0.1", for: "support@acme.test" });
    // Only the platform route got it: nothing went to help.acme.test from this message.
    expect(await db.inboundDelivery.count({ where: { message: { subject } } })).toBe(1);
  }, 120_000);

  it("scenario 2 with the customer's Bcc: the address they wrote to is only in Postfix's Received field, and is recorded from there", async () => {
    const postfix = await acmeMailServer(scenario2);
    const subject = "Copying support in";
    await sendAsCustomer(postfix, subject, { headerTo: "Sales <sales@acme.test>" });
    const delivery = await storedDelivery(postfix, "support@help.acme.test", subject);
    expect(delivery.message.headers).toContainEqual({ name: "To", value: "Sales <sales@acme.test>" });
    expect(postfixHop(delivery.message.hops as unknown as Hop[])).toMatchObject({ for: "support@acme.test" });
    expect(delivery).toMatchObject({ routeId: world.routes.help.id, queueName: "Support", originalRecipient: "support@acme.test" });
  }, 120_000);

  it("a customer domain with DMARC reject whose SPF cannot cover the redirect: DKIM-signed mail passes DMARC through Postfix, unsigned mail goes to the spam queue", async () => {
    // strict.sender.test lets only its own server (192.0.2.1) send; Acme's Postfix relaying the copy
    // fails SPF, as redirects do. A signature survives, because Postfix changes nothing it covers.
    const strict = "jo@strict.sender.test";
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    dns.publish(
      { name: "strict.sender.test", type: "TXT", data: "v=spf1 ip4:192.0.2.1 -all" },
      { name: "_dmarc.strict.sender.test", type: "TXT", data: "v=DMARC1; p=reject" },
      { name: "k1._domainkey.strict.sender.test", type: "TXT", data: `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}` },
    );
    const postfix = await acmeMailServer(scenario2);
    const dkim = { domainName: "strict.sender.test", keySelector: "k1", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    await sendAsCustomer(postfix, "Signed and redirected", { from: strict, dkim });
    await sendAsCustomer(postfix, "Unsigned and redirected", { from: strict });

    const signed = await storedDelivery(postfix, "support@help.acme.test", "Signed and redirected");
    expect(signed.message).toMatchObject({ spf: "fail", dkim: "pass", dmarc: "pass" });
    expect(signed).toMatchObject({ status: "queued", queueName: "Support", originalRecipient: "support@acme.test" });
    const unsigned = await storedDelivery(postfix, "support@help.acme.test", "Unsigned and redirected");
    expect(unsigned.message).toMatchObject({ spf: "fail", dmarc: "fail", dmarcPolicy: "reject" });
    expect(unsigned).toMatchObject({ status: "spam", queueId: world.queues.spamReview.id, queueName: "Spam review", originalRecipient: "support@acme.test" });
    // The admin's mailbox got both, as before.
    await mailboxCopy(postfix, "Signed and redirected");
    await mailboxCopy(postfix, "Unsigned and redirected");
  }, 120_000);

  it("a message over the gateway's size limit: Postfix reads the limit from our EHLO and bounces the redirected copy itself, saying why, without sending it; the mailbox keeps its copy", async () => {
    const { config } = await inboundConfig(dns, { INBOUND_MAX_MESSAGE_SIZE: "64KB", INBOUND_MAX_HEADER_SIZE: "16KB" });
    const strict = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
    try {
      const postfix = await acmeMailServer(scenario2, [], strict.port);
      const subject = "Scans of my receipts";
      const bouncesBefore = customerServer.messages.length;
      await sendAsCustomer(postfix, subject, { text: `${"receipt scan ".repeat(6)}\n`.repeat(1_500) });
      await mailboxCopy(postfix, subject);

      const bounces = await customerServer.waitFor(bouncesBefore + 1, 30_000).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await postfix.maillog()}`);
      });
      const bounce = bounces[bouncesBefore]!;
      expect(bounce.envelopeFrom).toBe("");
      expect(bounce.recipients).toEqual([customer]);
      expect(bounce.raw).toContain("Final-Recipient: rfc822; support@help.acme.test");
      expect(bounce.raw).toContain("Status: 5.3.4");
      expect(bounce.raw).toMatch(/exceeds size limit\s+65536 of\s+server/);
      // Postfix never offered it: nothing is stored, and no refusal is logged, since no MAIL FROM came.
      expect(await db.inboundMessage.count({ where: { subject } })).toBe(0);
      expect(await db.inboundRefusal.count({ where: { envelopeFrom: customer, reason: "message_too_large" } })).toBe(0);
    } finally {
      await strict.stop(2_000);
    }
  }, 120_000);

  it("as the instructions warn: with the original domain in virtual_alias_domains, the mailbox copy bounces (ours still arrives)", async () => {
    const postfix = await acmeMailServer(scenario2, ["virtual_alias_domains = acme.test"]);
    const subject = "Second try";
    const mailboxBefore = mailbox.messages.length;
    const bouncesBefore = customerServer.messages.length;
    await sendAsCustomer(postfix, subject);

    await storedDelivery(postfix, "support@help.acme.test", subject);
    const bounce = (await customerServer.waitFor(bouncesBefore + 1, 30_000))[bouncesBefore];
    expect(bounce!.envelopeFrom).toBe("");
    expect(bounce!.recipients).toEqual([customer]);
    expect(bounce!.raw).toContain("User unknown in virtual alias table");
    expect(mailbox.messages).toHaveLength(mailboxBefore);
  }, 120_000);
});

describe.skipIf(!available)("the test Postfix stays on loopback", () => {
  it("refuses mail for a domain without a loopback transport instead of looking it up, and leaves no process behind once stopped", async () => {
    const postfix = await startPostfix();
    const processes = postfix.processes;
    try {
      const transport = nodemailer.createTransport({ host: "127.0.0.1", port: postfix.port, secure: false, ignoreTLS: true, name: "mx.sender.test" });
      const sending = transport.sendMail({ envelope: { from: customer, to: ["someone@elsewhere.example"] }, from: customer, to: "someone@elsewhere.example", subject: "Off loopback?", text: "Hello" });
      await expect(sending).rejects.toThrow(/550 5\.7\.1 <someone@elsewhere\.example>: Recipient address rejected: this test's Postfix delivers only to loopback servers/);
      transport.close();
      // Postfix writes its log through its own logging service: the line can come a moment after the reply.
      await expect
        .poll(() => postfix.maillog(), { timeout: 10_000 })
        .toMatch(/NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.1\]: 550 5\.7\.1 <someone@elsewhere\.example>/);
      expect(await postfix.maillog()).not.toMatch(/Host or domain name not found|connect to /);
      expect((await processes()).length).toBeGreaterThan(0);
    } finally {
      await postfix.stop();
    }
    expect(await processes()).toEqual([]);
  }, 120_000);
});

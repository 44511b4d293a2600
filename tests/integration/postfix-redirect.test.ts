import path from "node:path";

import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { postfixCopyConfig, type RedirectRule } from "@/lib/domains/redirects";

import { MISSING_POSTFIX_MESSAGE, postfixAvailable, startPostfix, type PostfixInstance } from "../support/postfix";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";

/**
 * Scenario 2 on a real Postfix playing the customer's own mail server: the lines the console shows
 * for Postfix, written into its configuration as an admin would, must deliver each message twice —
 * to the admin's mailbox (here a loopback SMTP server behind Postfix) and to our inbound gateway
 * (another one) — with the customer still the sender.
 */
const available = postfixAvailable();
if (!available) {
  if (process.env.CI) throw new Error(MISSING_POSTFIX_MESSAGE);
  console.warn(MISSING_POSTFIX_MESSAGE);
}

const rule: RedirectRule = { from: "support@acme.test", to: "support@help.acme.test" };
const customer = "jo@customer.test";

let mailbox: SmtpSink;
let gateway: SmtpSink;
let customerServer: SmtpSink;
const instances: PostfixInstance[] = [];

async function customersMailServer(extraMainCf: string[] = []): Promise<PostfixInstance> {
  const postfix = await startPostfix({
    // acme.test is the domain this server delivers (relayed on to the mailbox server);
    // help.acme.test is our gateway; customer.test receives bounces.
    transports: { "acme.test": mailbox.port, "help.acme.test": gateway.port, "customer.test": customerServer.port },
    configure: (dir) => {
      const generated = postfixCopyConfig([rule], { mapFile: path.join(dir, "virtual") });
      return {
        mainCf: ["relay_domains = acme.test", ...generated.mainCf, ...extraMainCf],
        files: { [generated.mapFile]: generated.virtualMap },
      };
    },
  });
  instances.push(postfix);
  // The commands exactly as shown to the admin, against this instance; `postfix reload` is not
  // needed before the first message, since the instance starts with the table in place.
  const generated = postfixCopyConfig([rule], { mapFile: path.join(postfix.configDir, "virtual") });
  await postfix.run(generated.commands[0]!);
  return postfix;
}

async function sendAsCustomer(postfix: PostfixInstance, subject: string) {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: postfix.port, secure: false, ignoreTLS: true, name: "mx.customer.test" });
  try {
    return await transport.sendMail({
      envelope: { from: customer, to: [rule.from] },
      from: `Jo Customer <${customer}>`,
      replyTo: "jo.replies@customer.test",
      to: rule.from,
      subject,
      text: "My order has not arrived.",
    });
  } finally {
    transport.close();
  }
}

describe.skipIf(!available)("Postfix redirect that keeps a copy (scenario 2)", () => {
  beforeAll(async () => {
    [mailbox, gateway, customerServer] = await Promise.all([startSmtpSink(), startSmtpSink(), startSmtpSink()]);
  });

  afterAll(async () => {
    for (const postfix of instances) await postfix.stop();
    await Promise.all([mailbox?.close(), gateway?.close(), customerServer?.close()]);
  });

  it("delivers the customer's message both to the admin's mailbox and to our gateway, with the customer still the sender", async () => {
    const postfix = await customersMailServer();
    const sent = await sendAsCustomer(postfix, "Where is order 1234?");
    expect(sent.accepted).toEqual([rule.from]);

    const [[copy], [redirected]] = await Promise.all([mailbox.waitFor(1), gateway.waitFor(1)]).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await postfix.maillog()}`);
    });
    expect(copy!.recipients).toEqual(["support@acme.test"]);
    expect(redirected!.recipients).toEqual(["support@help.acme.test"]);
    for (const message of [copy!, redirected!]) {
      expect(message.envelopeFrom).toBe(customer);
      expect(message.header("from")).toBe(`Jo Customer <${customer}>`);
      expect(message.header("reply-to")).toBe("jo.replies@customer.test");
      expect(message.header("subject")).toBe("Where is order 1234?");
    }
    // The same message, not a forward of it.
    expect(redirected!.header("message-id")).toBe(copy!.header("message-id"));
    expect(customerServer.messages).toEqual([]);
  }, 60_000);

  it("as the instructions warn: with the original domain in virtual_alias_domains, the mailbox copy bounces", async () => {
    const before = { mailbox: mailbox.messages.length, gateway: gateway.messages.length };
    const postfix = await customersMailServer(["virtual_alias_domains = acme.test"]);
    await sendAsCustomer(postfix, "Second try");

    await gateway.waitFor(before.gateway + 1);
    const [bounce] = await customerServer.waitFor(1);
    expect(bounce!.envelopeFrom).toBe("");
    expect(bounce!.recipients).toEqual([customer]);
    expect(bounce!.raw).toContain("User unknown in virtual alias table");
    expect(mailbox.messages).toHaveLength(before.mailbox);
  }, 60_000);
});

import { gunzipSync } from "node:zlib";

import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";

import { GET as downloadRaw } from "@/app/api/messages/[id]/raw/route";
import { getDb } from "@/lib/db/client";
import { startGateway } from "@/lib/mail/gateway";
import { countRecentMessages, getMessageDetail, getRefusalDetail, listMessages, readMessageEml } from "@/lib/messages/queries";
import { messagesQuerySchema } from "@/lib/messages/schemas";
import type { DeliveryListRow, MessageListRow } from "@/lib/messages/types";

import { inboundConfig, seedInboundWorld, startSenderDns } from "../support/inbound";
import { eventually } from "../support/jobs";
import { actAs, actAsNobody, apiRequest } from "../support/request-context";
import { INITECH_ADMIN } from "../support/routing-fixtures";
import { message, sendMail } from "../support/smtp";

/**
 * The Messages log over mail sent for real: SMTP to a gateway on loopback (loopback DNS for SPF and
 * DMARC), stored in PostgreSQL, then read back the way the pages and the download do — scoped to
 * one organisation at every step.
 */
const db = getDb();
const world = await seedInboundWorld(db);
const dns = await startSenderDns();
const { config } = await inboundConfig(dns);
const gateway = await startGateway({ config, mode: "separate", host: "127.0.0.1", port: 0 });
const port = gateway.port;

afterAll(async () => {
  await gateway.stop(2_000);
  await dns.close();
});

const acme = { organizationId: world.acme.id };
const initech = { organizationId: world.initech.id };
const query = (params: Record<string, string> = {}) => messagesQuerySchema.parse(params);
const queuedId = (text: string | undefined) => /queued as ([0-9a-f-]{36})/.exec(text ?? "")?.[1] ?? null;

async function send(to: string[], options: { from?: string; subject?: string; headers?: string[]; headerFrom?: string; toHeader?: string } = {}): Promise<string> {
  const from = options.from ?? "customer@sender.test";
  const sent = await sendMail(port, {
    from,
    to,
    message: message({ from: options.headerFrom ?? `Customer <${from}>`, to: options.toHeader ?? to[0], subject: options.subject, headers: options.headers }),
  });
  expect(sent.data?.code, sent.data?.text).toBe(250);
  return queuedId(sent.data?.text)!;
}

/** Every row of the log for this scope and filter, following the "older" cursor to the end. */
async function everyRow(scope: { organizationId: string }, params: Record<string, string> = {}): Promise<MessageListRow[]> {
  const rows: MessageListRow[] = [];
  let page = await listMessages(scope, query({ ...params, size: "100" }));
  rows.push(...page.rows);
  while (page.older) {
    page = await listMessages(scope, query({ ...params, size: "100", after: page.older }));
    rows.push(...page.rows);
  }
  return rows;
}

const deliveries = (rows: MessageListRow[]) => rows.filter((row): row is DeliveryListRow => row.kind === "delivery");

describe("organisation scoping", () => {
  it("shows a message sent to two organisations to each with only its own recipient, everywhere", async () => {
    // Initech's address is only in the envelope (as a Bcc would be): Acme must learn nothing of it.
    const id = await send(["support@help.acme.test", "desk@help.initech.test"], { subject: "Two organisations", toHeader: "support@help.acme.test" });

    const acmeRows = deliveries(await everyRow(acme)).filter((row) => row.messageId === id);
    const initechRows = deliveries(await everyRow(initech)).filter((row) => row.messageId === id);
    expect(acmeRows.map((row) => [row.recipient, row.queueName])).toEqual([["support@help.acme.test", "Support"]]);
    expect(initechRows.map((row) => [row.recipient, row.queueName])).toEqual([["desk@help.initech.test", "Initech desk"]]);

    const acmeView = await getMessageDetail(acme, id);
    const initechView = await getMessageDetail(initech, id);
    expect(acmeView?.deliveries.map((delivery) => delivery.recipient)).toEqual(["support@help.acme.test"]);
    expect(initechView?.deliveries.map((delivery) => delivery.recipient)).toEqual(["desk@help.initech.test"]);
    expect(JSON.stringify(acmeView)).not.toContain("initech");

    // Searching for the other organisation's address finds nothing, and the raw message does not name it.
    expect(await everyRow(acme, { q: "desk@help.initech.test" })).toEqual([]);
    const admin = await actAs("admin@acme.example");
    const raw = await readMessageEml(admin, id);
    expect(raw.body.toString("utf8")).toContain("Subject: Two organisations");
    expect(raw.body.toString("utf8")).not.toContain("initech");
  });

  it("answers not found for another organisation's message or refusal, and for ids that are not ids", async () => {
    const initechOnly = await send(["desk@help.initech.test"], { subject: "Initech only" });
    expect(await getMessageDetail(initech, initechOnly)).not.toBeNull();
    expect(await getMessageDetail(acme, initechOnly)).toBeNull();
    expect(await getMessageDetail(acme, "not-a-uuid")).toBeNull();
    expect(deliveries(await everyRow(acme)).some((row) => row.messageId === initechOnly)).toBe(false);
    // Even asked for by its exact id, as a search.
    expect(await everyRow(acme, { q: initechOnly })).toEqual([]);

    await sendMail(port, { from: "customer@sender.test", to: ["nobody@help.initech.test"], message: message() });
    const refusal = await eventually("Initech's refusal", () => db.inboundRefusal.findFirst({ where: { recipient: "nobody@help.initech.test" } }));
    expect(refusal.organizationId).toBe(world.initech.id);
    expect(await getRefusalDetail(initech, refusal.id)).not.toBeNull();
    expect(await getRefusalDetail(acme, refusal.id)).toBeNull();
    expect((await everyRow(acme, { status: "refused" })).some((row) => row.id === refusal.id)).toBe(false);
  });
});

describe("refused attempts", () => {
  it("lists a refusal with the reply given and why in plain words, and its page names the closest routes", async () => {
    const sent = await sendMail(port, { from: "someone@sender.test", to: ["suport@help.acme.test"], message: message() });
    expect(sent.rcpts[0]?.code).toBe(550);
    const stored = await eventually("the refusal", () => db.inboundRefusal.findFirst({ where: { recipient: "suport@help.acme.test" } }));

    const row = (await everyRow(acme, { status: "refused" })).find((candidate) => candidate.id === stored.id);
    expect(row).toMatchObject({
      kind: "refusal",
      status: "refused",
      recipient: "suport@help.acme.test",
      envelopeFrom: "someone@sender.test",
      code: 550,
      enhancedStatus: "5.1.1",
      reason: "no_route",
    });
    expect(row?.kind === "refusal" && row.explanation).toMatch(/^No route for suport@help\.acme\.test; the closest routes? (is|are) support@help\.acme\.test/);

    const detail = await getRefusalDetail(acme, stored.id);
    expect(detail).toMatchObject({
      reply: "550 5.1.1 <suport@help.acme.test>: Recipient address rejected: no such address here",
      reasonLabel: "No route for this address",
      stage: "rcpt",
      clientAddress: "127.0.0.1",
      domain: { id: world.domains.help.id, name: "help.acme.test" },
    });
    expect(detail?.closestRoutes[0]).toEqual({ address: "support@help.acme.test" });
  });

  it("keeps relay attempts (no organisation's domain) out of every organisation's log", async () => {
    const sent = await sendMail(port, { from: "someone@sender.test", to: ["someone@elsewhere.test"], message: message() });
    expect(sent.rcpts[0]?.code).toBe(550);
    await eventually("the relay refusal", () => db.inboundRefusal.findFirst({ where: { recipient: "someone@elsewhere.test" } }));
    for (const scope of [acme, initech]) expect((await everyRow(scope, { q: "elsewhere.test" })).length).toBe(0);
  });
});

describe("pages", () => {
  it("reads newest first by cursor, and a page read after new mail arrived neither repeats nor skips a row", async () => {
    const batch: string[] = [];
    for (let index = 0; index < 12; index++) batch.push(await send(["sales@help.acme.test"], { subject: `Batch ${index}` }));
    const filter = { route: world.routes.sales.id, q: "batch", size: "10" };

    const first = await listMessages(acme, query(filter));
    expect(first.newer).toBeNull();
    expect(first.older).not.toBeNull();
    expect(deliveries(first.rows).map((row) => row.subject)).toEqual(Array.from({ length: 10 }, (_, index) => `Batch ${11 - index}`));

    // Mail arriving while the admin reads page 1 does not shift page 2.
    for (let index = 12; index < 15; index++) await send(["sales@help.acme.test"], { subject: `Batch ${index}` });
    const second = await listMessages(acme, query({ ...filter, after: first.older! }));
    expect(deliveries(second.rows).map((row) => row.subject)).toEqual(["Batch 1", "Batch 0"]);
    expect(second.older).toBeNull();
    expect(second.newer).not.toBeNull();

    // Back up: the ten rows above page 2, and a way further up to the new ones.
    const back = await listMessages(acme, query({ ...filter, before: second.newer! }));
    expect(back.rows.map((row) => row.id)).toEqual(first.rows.map((row) => row.id));
    expect(back.newer).not.toBeNull();
    const top = await listMessages(acme, query({ ...filter, before: back.newer! }));
    // Fewer than a page above: the top of the log, shown whole.
    expect(top.newer).toBeNull();
    expect(deliveries(top.rows).map((row) => row.subject).slice(0, 4)).toEqual(["Batch 14", "Batch 13", "Batch 12", "Batch 11"]);
    expect(new Set(deliveries(await everyRow(acme, filter)).map((row) => row.messageId))).toEqual(new Set([...batch, ...deliveries(top.rows).slice(0, 3).map((row) => row.messageId)]));
  });

  it("ignores a malformed cursor or page size rather than failing", async () => {
    const parsed = query({ after: "garbage", size: "7", status: "nonsense", route: "x" });
    expect(parsed).toMatchObject({ after: undefined, size: 50, status: undefined, route: undefined });
  });
});

describe("search and filters", () => {
  it("finds messages by recipient, sender, subject, Message-ID or queued id, case-insensitively and literally", async () => {
    const id = await send(["support@help.acme.test"], { from: "Jane.Doe@sender.test", subject: "Refund for order 100% late", headers: ["X-Test: search"] });
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id } });
    const finds = async (q: string) => deliveries(await everyRow(acme, { q })).some((row) => row.messageId === id);

    expect(await finds("jane.doe@sender")).toBe(true);
    expect(await finds("REFUND FOR ORDER")).toBe(true);
    expect(await finds(stored.messageIdHeader!)).toBe(true);
    expect(await finds(id.toUpperCase())).toBe(true);
    expect(await finds("100%")).toBe(true);
    // % and _ are characters, not wildcards.
    expect(await finds("refund%late")).toBe(false);
    expect(await finds("jane_doe")).toBe(false);
    expect(deliveries(await everyRow(acme, { q: "support@help.acme" })).length).toBeGreaterThan(1);
    expect((await everyRow(acme, { q: "suport@help" })).map((row) => row.kind)).toContain("refusal");
  });

  it("filters by status (queued, spam queue, flagged, refused), route, queue, domain and date", async () => {
    // spoofed.test fails DMARC under p=reject: the support route has a spam queue, sales has none.
    const spam = await send(["support@help.acme.test"], { from: "ceo@spoofed.test", subject: "Wire money" });
    const flagged = await send(["sales@help.acme.test"], { from: "ceo@spoofed.test", subject: "Wire more money" });
    const copies = await send(["support@copies.acme.test"], { subject: "Via copies" });
    const pendingRefusal = await sendMail(port, { from: "customer@sender.test", to: ["support@new.acme.test"], message: message() });
    expect(pendingRefusal.rcpts[0]?.code).toBe(450);
    const pendingRoute = await db.route.findFirstOrThrow({ where: { address: "support@new.acme.test" } });
    await eventually("the pending domain's refusal", () => db.inboundRefusal.findFirst({ where: { recipient: "support@new.acme.test" } }));

    const ids = async (params: Record<string, string>) => new Set(deliveries(await everyRow(acme, params)).map((row) => row.messageId));
    const spamRows = deliveries(await everyRow(acme, { status: "spam" }));
    expect(spamRows.map((row) => row.messageId)).toEqual([spam]);
    expect(spamRows[0]).toMatchObject({ queueName: "Spam review", auth: { dmarc: "fail" } });
    expect([...(await ids({ status: "flagged" }))]).toEqual([flagged]);
    expect((await ids({ status: "queued" })).has(spam)).toBe(false);
    expect((await everyRow(acme, { status: "refused" })).every((row) => row.kind === "refusal")).toBe(true);
    expect((await everyRow(acme, { status: "queued" })).every((row) => row.kind === "delivery" && row.status === "queued")).toBe(true);

    expect([...(await ids({ queue: world.queues.spam.id }))]).toEqual([spam]);
    expect((await ids({ route: world.routes.sales.id })).has(flagged)).toBe(true);
    expect((await ids({ route: world.routes.sales.id })).has(spam)).toBe(false);
    expect([...(await ids({ domain: world.domains.copies.id }))]).toEqual([copies]);
    // A route's page of messages includes attempts at its own address that were refused.
    const pendingRows = await everyRow(acme, { route: pendingRoute.id });
    expect(pendingRows.map((row) => [row.kind, row.recipient])).toEqual([["refusal", "support@new.acme.test"]]);
    // An id of another organisation filters to nothing rather than to its rows.
    expect(await everyRow(acme, { route: world.routes.initech.id })).toEqual([]);

    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await ids({ from: today, to: today })).has(copies)).toBe(true);
    expect(await everyRow(acme, { to: yesterday })).toEqual([]);
  });
});

describe("a message's page", () => {
  it("shows headers, the Received chain with each hop's delay ending at our gateway, and the checks in plain words", async () => {
    const id = await send(["support@help.acme.test"], {
      subject: "Relayed twice",
      headers: [
        "Received: from mail.sender.test (mail.sender.test [192.0.2.10]) by mx.relay.test with ESMTPS id r2 for <support@help.acme.test>; Tue, 01 Dec 2026 10:00:05 +0000",
        "Received: from laptop.sender.test ([198.51.100.7]) by mail.sender.test with ESMTPSA id r1; Tue, 01 Dec 2026 10:00:02 +0000",
      ],
    });
    const detail = (await getMessageDetail(acme, id))!;
    expect(detail.headers.find((header) => header.name === "Subject")?.value).toBe("Relayed twice");
    expect(detail.hops.map((hop) => [hop.by, hop.delaySeconds])).toEqual([
      ["mail.sender.test", 2],
      ["mx.relay.test", 3],
      [expect.stringContaining("inbound gateway"), expect.any(Number)],
    ]);
    expect(detail.hops[0]).toMatchObject({ ip: "198.51.100.7", with: "ESMTPSA" });
    expect(detail.hops.at(-1)).toMatchObject({ ours: true, at: detail.receivedAt, ip: "127.0.0.1" });
    expect(detail.deliveries).toEqual([expect.objectContaining({ routeId: world.routes.support.id, queueId: world.queues.support.id, queueName: "Support", skills: ["Billing"] })]);

    const [spf, dkim, dmarc] = detail.auth;
    expect(spf).toMatchObject({ check: "SPF", verdict: "pass", summary: "127.0.0.1 is allowed to send mail for sender.test: its SPF record lists that server." });
    expect(dkim).toMatchObject({ check: "DKIM", verdict: "none" });
    expect(dmarc?.summary).toMatch(/^The From domain sender\.test passes DMARC: SPF \(sender\.test\)/);
  });

  it("explains a DMARC failure and where it sent the message", async () => {
    const id = await send(["support@help.acme.test"], { from: "ceo@spoofed.test", subject: "Spoofed" });
    const detail = (await getMessageDetail(acme, id))!;
    expect(detail.auth.find((check) => check.check === "SPF")?.summary).toContain("spoofed.test's SPF record says 127.0.0.1 may not send its mail");
    expect(detail.auth.find((check) => check.check === "DMARC")?.summary).toMatch(/fails DMARC.*Its policy is reject, so the message went to the route's spam queue; nothing was dropped\./);
  });
});

describe("downloading the raw message", () => {
  const request = (id: string) => downloadRaw(apiRequest(`http://localhost/api/messages/${id}/raw`), { params: Promise.resolve({ id }) });

  it("gives a manage user the stored .eml as an attachment, byte for byte", async () => {
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, name: "client.sender.test" });
    const info = await transport.sendMail({ from: "customer@sender.test", to: "support@help.acme.test", subject: "Download me", text: "Body to download" });
    transport.close();
    const id = queuedId(info.response)!;

    await actAs("admin@acme.example");
    const response = await request(id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("message/rfc822");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="message-${id}.eml"`);
    const body = Buffer.from(await response.arrayBuffer());
    const stored = await db.inboundMessage.findUniqueOrThrow({ where: { id } });
    expect(body.equals(gunzipSync(stored.rawGzip))).toBe(true);
    expect(body.toString("utf8")).toMatch(/^Received: from client\.sender\.test/);
    expect(body.toString("utf8")).toContain("Body to download");
  });

  it("refuses a viewer (403), a signed-out request (401), and answers 404 for another organisation's message", async () => {
    const id = await send(["support@help.acme.test"], { subject: "Not for everyone" });
    await actAs("viewer@acme.example");
    const viewer = await request(id);
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({ code: "permission_required", permission: "routing:email:manage" });

    await actAs(INITECH_ADMIN);
    expect((await request(id)).status).toBe(404);
    await actAs("admin@acme.example");
    expect((await request("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await request("../../etc/passwd")).status).toBe(404);
    actAsNobody();
    expect((await request(id)).status).toBe(401);
  });
});

describe("recent messages per route and queue", () => {
  it("counts each of the organisation's routes' and queues' messages of the last 7 days, and nothing of another's", async () => {
    await send(["support@copies.acme.test"], { subject: "Counted" });
    const routes = await countRecentMessages(acme, "route", [world.routes.copies.id, world.routes.initech.id]);
    const copiesCount = await db.inboundDelivery.count({ where: { routeId: world.routes.copies.id } });
    expect(copiesCount).toBeGreaterThan(0);
    expect(routes).toEqual({ [world.routes.copies.id]: copiesCount });
    const queues = await countRecentMessages(acme, "queue", [world.queues.spam.id]);
    expect(queues[world.queues.spam.id]).toBe(await db.inboundDelivery.count({ where: { queueId: world.queues.spam.id } }));
    // Counted from now: mail older than 7 days is not recent.
    expect(await countRecentMessages(acme, "route", [world.routes.copies.id], db, new Date(Date.now() + 8 * 86_400_000))).toEqual({});
  });
});

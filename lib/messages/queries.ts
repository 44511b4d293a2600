import "server-only";

import { can, type AccessSubject } from "@/lib/auth/permissions";
import { getDb, type DbClient } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { NotFoundError } from "@/lib/errors";
import type { AuthDetails, Hop, StoredHeader } from "@/lib/mail/types";
import { readRawMessage } from "@/lib/mail/store";
import { escapeLike } from "@/lib/db/like";
import { isUuid } from "@/lib/validation/uuid";

import { describeAuthentication } from "./auth-words";
import { encodeCursor, type MessageCursor, type MessagesQuery } from "./schemas";
import {
  RECENT_MESSAGES_CAP,
  RECENT_MESSAGES_DAYS,
  REFUSAL_REASON_LABELS,
  type DeliveryListRow,
  type HopView,
  type MessageDetail,
  type MessageFilterLabels,
  type MessageListPage,
  type MessageListRow,
  type RefusalDetail,
  type RefusalListRow,
} from "./types";

/**
 * The Messages log: what the gateway accepted (inbound_deliveries, one row per recipient in its
 * organisation) and what it refused (inbound_refusals of the organisation), newest first.
 *
 * Every query is scoped by the organisation of the checked session, in its WHERE clause: a message
 * to two organisations is one inbound_messages row, and each organisation reaches it only through
 * its own deliveries, so it sees its own recipients and never the other's. Another organisation's
 * message or refusal is "not found".
 *
 * The list pages by keyset — (time, message, row) — so a page costs the same at the millionth row as
 * at the first and new mail arriving never shifts the page being read. Each table is read in index
 * order (migration 20261130060000) and only the page's rows are then loaded.
 */
export interface MessageScope {
  organizationId: string;
}

interface PageKey {
  kind: "delivery" | "refusal";
  id: string;
  grp: string;
  at: Date;
}

/** The WHERE clauses of the two halves of the log; null leaves a half out. */
interface Plan {
  deliveries: Prisma.Sql | null;
  refusals: Prisma.Sql | null;
}

function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function afterDay(day: string): Date {
  return new Date(startOfDay(day).getTime() + 86_400_000);
}

async function plan(db: DbClient, organizationId: string, query: MessagesQuery): Promise<Plan> {
  const deliveries: Prisma.Sql[] = [Prisma.sql`d.organization_id = ${organizationId}::uuid`];
  let refusals: Prisma.Sql[] | null = [Prisma.sql`r.organization_id = ${organizationId}::uuid`];
  let withDeliveries = true;

  if (query.status === "refused") withDeliveries = false;
  else if (query.status) {
    deliveries.push(Prisma.sql`d.status = ${query.status}::inbound_delivery_status`);
    refusals = null;
  }
  if (query.queue) {
    deliveries.push(Prisma.sql`d.queue_id = ${query.queue}::uuid`);
    refusals = null;
  }
  if (query.route) {
    deliveries.push(Prisma.sql`d.route_id = ${query.route}::uuid`);
    if (refusals) {
      // A refusal matched no route, but attempts at the route's own address belong with it (its
      // domain still pending, say). The trigram index finds them; the equality keeps them exact.
      const route = await db.route.findFirst({ where: { id: query.route, organizationId }, select: { address: true } });
      if (route) {
        const address = route.address.toLowerCase();
        refusals.push(Prisma.sql`r.search_text LIKE ${`%${escapeLike(address)}%`} AND lower(r.recipient) = ${address}`);
      } else refusals = null;
    }
  }
  if (query.domain) {
    deliveries.push(Prisma.sql`d.domain_id = ${query.domain}::uuid`);
    refusals?.push(Prisma.sql`r.domain_id = ${query.domain}::uuid`);
  }
  if (query.from) {
    deliveries.push(Prisma.sql`d.received_at >= ${startOfDay(query.from)}::timestamptz`);
    refusals?.push(Prisma.sql`r.created_at >= ${startOfDay(query.from)}::timestamptz`);
  }
  if (query.to) {
    deliveries.push(Prisma.sql`d.received_at < ${afterDay(query.to)}::timestamptz`);
    refusals?.push(Prisma.sql`r.created_at < ${afterDay(query.to)}::timestamptz`);
  }
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    // The id in "250 Ok: queued as <id>" (or a refusal's id) finds that very row.
    const id = isUuid(query.q) ? query.q.toLowerCase() : null;
    deliveries.push(
      id
        ? Prisma.sql`(d.search_text LIKE ${pattern} OR d.message_id = ${id}::uuid OR d.id = ${id}::uuid)`
        : Prisma.sql`d.search_text LIKE ${pattern}`,
    );
    refusals?.push(id ? Prisma.sql`(r.search_text LIKE ${pattern} OR r.id = ${id}::uuid)` : Prisma.sql`r.search_text LIKE ${pattern}`);
  }
  return {
    deliveries: withDeliveries ? Prisma.join(deliveries, " AND ") : null,
    refusals: refusals ? Prisma.join(refusals, " AND ") : null,
  };
}

/** Up to `limit` keys past `position` in one direction: "older" reads down from it, "newer" up. */
async function pageKeys(db: DbClient, planned: Plan, direction: "older" | "newer", position: MessageCursor | undefined, limit: number): Promise<PageKey[]> {
  const older = direction === "older";
  const dir = Prisma.raw(older ? "DESC" : "ASC");
  const past = (columns: Prisma.Sql) =>
    position
      ? older
        ? Prisma.sql` AND (${columns}) < (${position.at}::timestamptz, ${position.group}::uuid, ${position.id}::uuid)`
        : Prisma.sql` AND (${columns}) > (${position.at}::timestamptz, ${position.group}::uuid, ${position.id}::uuid)`
      : Prisma.empty;
  const halves: Prisma.Sql[] = [];
  if (planned.deliveries) {
    halves.push(Prisma.sql`(SELECT 'delivery' AS kind, d.id, d.message_id AS grp, d.received_at AS at
        FROM inbound_deliveries d
       WHERE ${planned.deliveries}${past(Prisma.sql`d.received_at, d.message_id, d.id`)}
       ORDER BY d.received_at ${dir}, d.message_id ${dir}, d.id ${dir}
       LIMIT ${limit})`);
  }
  if (planned.refusals) {
    halves.push(Prisma.sql`(SELECT 'refusal' AS kind, r.id, r.id AS grp, r.created_at AS at
        FROM inbound_refusals r
       WHERE ${planned.refusals}${past(Prisma.sql`r.created_at, r.id, r.id`)}
       ORDER BY r.created_at ${dir}, r.id ${dir}
       LIMIT ${limit})`);
  }
  if (halves.length === 0) return [];
  return db.$queryRaw<PageKey[]>`
    SELECT page.kind, page.id::text AS id, page.grp::text AS grp, page.at FROM (${Prisma.join(halves, " UNION ALL ")}) page
     ORDER BY page.at ${dir}, page.grp ${dir}, page.id ${dir}
     LIMIT ${limit}`;
}

const keyOf = (key: PageKey): string => encodeCursor({ at: key.at, group: key.grp, id: key.id });

async function loadRows(db: DbClient, organizationId: string, keys: PageKey[]): Promise<MessageListRow[]> {
  const deliveryIds = keys.filter((key) => key.kind === "delivery").map((key) => key.id);
  const refusalIds = keys.filter((key) => key.kind === "refusal").map((key) => key.id);
  const [deliveries, refusals] = await Promise.all([
    deliveryIds.length === 0
      ? []
      : db.inboundDelivery.findMany({
          where: { id: { in: deliveryIds }, organizationId },
          select: {
            id: true,
            messageId: true,
            receivedAt: true,
            status: true,
            recipient: true,
            originalRecipient: true,
            routeId: true,
            routeAddress: true,
            queueId: true,
            queueName: true,
            message: { select: { envelopeFrom: true, headerFrom: true, subject: true, size: true, spf: true, dkim: true, dmarc: true } },
          },
        }),
    refusalIds.length === 0
      ? []
      : db.inboundRefusal.findMany({
          where: { id: { in: refusalIds }, organizationId },
          select: {
            id: true,
            createdAt: true,
            envelopeFrom: true,
            recipient: true,
            subject: true,
            size: true,
            code: true,
            enhancedStatus: true,
            reason: true,
            explanation: true,
            suppressed: true,
          },
        }),
  ]);
  const rows = new Map<string, MessageListRow>();
  for (const delivery of deliveries) {
    const row: DeliveryListRow = {
      kind: "delivery",
      id: delivery.id,
      messageId: delivery.messageId,
      at: delivery.receivedAt.toISOString(),
      status: delivery.status,
      envelopeFrom: delivery.message.envelopeFrom,
      headerFrom: delivery.message.headerFrom,
      recipient: delivery.recipient,
      originalRecipient: delivery.originalRecipient,
      subject: delivery.message.subject,
      size: delivery.message.size,
      routeId: delivery.routeId,
      routeAddress: delivery.routeAddress,
      queueId: delivery.queueId,
      queueName: delivery.queueName,
      auth: { spf: verdictOf(delivery.message.spf), dkim: verdictOf(delivery.message.dkim), dmarc: verdictOf(delivery.message.dmarc) },
    };
    rows.set(`delivery:${delivery.id}`, row);
  }
  for (const refusal of refusals) {
    const row: RefusalListRow = {
      kind: "refusal",
      id: refusal.id,
      at: refusal.createdAt.toISOString(),
      status: "refused",
      envelopeFrom: refusal.envelopeFrom,
      recipient: refusal.recipient,
      subject: refusal.subject,
      size: refusal.size,
      code: refusal.code,
      enhancedStatus: refusal.enhancedStatus,
      reason: refusal.reason,
      explanation: refusal.explanation,
      suppressed: refusal.suppressed,
    };
    rows.set(`refusal:${refusal.id}`, row);
  }
  // Retention may delete a row between the two reads: it is simply left out.
  return keys.flatMap((key) => rows.get(`${key.kind}:${key.id}`) ?? []);
}

const VERDICTS = new Set(["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"]);

function verdictOf(value: string): DeliveryListRow["auth"]["spf"] {
  return (VERDICTS.has(value) ? value : "neutral") as DeliveryListRow["auth"]["spf"];
}

/** One page of the log, newest first. `after` reads older rows, `before` newer ones. */
export async function listMessages(scope: MessageScope, query: MessagesQuery, db: DbClient = getDb()): Promise<MessageListPage> {
  const pageSize = query.size;
  const planned = await plan(db, scope.organizationId, query);
  if (query.before && !query.after) {
    const keys = await pageKeys(db, planned, "newer", query.before, pageSize + 1);
    // Fewer than a page above the position: that is the top of the log, shown whole.
    if (keys.length <= pageSize) return listMessages(scope, { ...query, before: undefined }, db);
    const page = keys.slice(0, pageSize).reverse();
    return {
      rows: await loadRows(db, scope.organizationId, page),
      newer: keyOf(page[0]!),
      older: keyOf(page[page.length - 1]!),
      pageSize,
    };
  }
  const keys = await pageKeys(db, planned, "older", query.after, pageSize + 1);
  const page = keys.slice(0, pageSize);
  const position = query.after;
  return {
    rows: await loadRows(db, scope.organizationId, page),
    newer: position ? (page.length > 0 ? keyOf(page[0]!) : encodeCursor(position)) : null,
    older: keys.length > pageSize ? keyOf(page[page.length - 1]!) : null,
    pageSize,
  };
}

/** Names of the route, queue and domain a link filtered by (ids of another organisation name nothing). */
export async function messageFilterLabels(scope: MessageScope, query: MessagesQuery, db: DbClient = getDb()): Promise<MessageFilterLabels> {
  const { organizationId } = scope;
  const [route, queue, domain] = await Promise.all([
    query.route ? db.route.findFirst({ where: { id: query.route, organizationId }, select: { address: true } }) : null,
    query.queue ? db.queue.findFirst({ where: { id: query.queue, organizationId }, select: { name: true } }) : null,
    query.domain ? db.domain.findFirst({ where: { id: query.domain, organizationId }, select: { displayName: true } }) : null,
  ]);
  return { route: route?.address ?? null, queue: queue?.name ?? null, domain: domain?.displayName ?? null };
}

/** The queues and domains the filter form offers (small catalogues). */
export async function messageFilterOptions(scope: MessageScope, db: DbClient = getDb()) {
  const { organizationId } = scope;
  const [queues, domains] = await Promise.all([
    db.queue.findMany({ where: { organizationId }, orderBy: { nameKey: "asc" }, select: { id: true, name: true } }),
    db.domain.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: { id: true, displayName: true } }),
  ]);
  return { queues, domains: domains.map((domain) => ({ id: domain.id, name: domain.displayName })) };
}

function asHops(value: unknown): Hop[] {
  return Array.isArray(value) ? (value as Hop[]).filter((hop) => hop !== null && typeof hop === "object") : [];
}

function asHeaders(value: unknown): StoredHeader[] {
  return Array.isArray(value)
    ? (value as StoredHeader[]).filter((header) => header !== null && typeof header === "object" && typeof header.name === "string")
    : [];
}

function secondsBetween(earlier: string | null, later: string | null): number | null {
  if (!earlier || !later) return null;
  const delta = Date.parse(later) - Date.parse(earlier);
  return Number.isNaN(delta) ? null : Math.round(delta / 1000);
}

/** The Received chain, oldest first, each hop with its delay since the step before; our gateway last. */
function hopsOf(stored: Hop[], message: { sentAt: Date | null; receivedAt: Date; helo: string; clientAddress: string; tlsProtocol: string | null; gateway: string }): HopView[] {
  let previous = message.sentAt?.toISOString() ?? null;
  const hops: HopView[] = stored.map((hop) => {
    const at = typeof hop.at === "string" ? hop.at : null;
    const view: HopView = { from: hop.from ?? null, by: hop.by ?? null, with: hop.with ?? null, ip: hop.ip ?? null, at, delaySeconds: secondsBetween(previous, at), ours: false, raw: hop.raw ?? null };
    previous = at;
    return view;
  });
  const receivedAt = message.receivedAt.toISOString();
  hops.push({
    from: `${message.helo} ([${message.clientAddress}])`,
    by: `the inbound gateway (${message.gateway})`,
    with: message.tlsProtocol ? `ESMTPS (${message.tlsProtocol})` : "ESMTP",
    ip: message.clientAddress,
    at: receivedAt,
    delaySeconds: secondsBetween(previous, receivedAt),
    ours: true,
    raw: null,
  });
  return hops;
}

/** A message as this organisation received it; null when it has no recipient of this organisation. */
export async function getMessageDetail(scope: MessageScope, id: string, db: DbClient = getDb()): Promise<MessageDetail | null> {
  if (!isUuid(id)) return null;
  const deliveries = await db.inboundDelivery.findMany({
    where: { messageId: id, organizationId: scope.organizationId },
    orderBy: [{ recipientKey: "asc" }, { id: "asc" }],
    select: {
      id: true,
      recipient: true,
      originalRecipient: true,
      status: true,
      routeId: true,
      routeAddress: true,
      queueId: true,
      queueName: true,
      priority: true,
      skills: true,
      languageName: true,
    },
  });
  if (deliveries.length === 0) return null;
  const message = await db.inboundMessage.findUnique({ where: { id }, omit: { rawGzip: true } });
  if (!message) return null;
  const details = message.authDetails as unknown as AuthDetails;
  return {
    id: message.id,
    receivedAt: message.receivedAt.toISOString(),
    sentAt: message.sentAt?.toISOString() ?? null,
    envelopeFrom: message.envelopeFrom,
    headerFrom: message.headerFrom,
    subject: message.subject,
    messageIdHeader: message.messageIdHeader,
    size: message.size,
    clientAddress: message.clientAddress,
    helo: message.helo,
    tlsProtocol: message.tlsProtocol,
    gateway: message.gateway,
    deliveries,
    auth: describeAuthentication({
      spf: verdictOf(message.spf),
      dkim: verdictOf(message.dkim),
      dmarc: verdictOf(message.dmarc),
      arc: verdictOf(message.arc),
      dmarcPolicy: message.dmarcPolicy,
      details,
      clientAddress: message.clientAddress,
      envelopeFrom: message.envelopeFrom,
      statuses: deliveries.map((delivery) => delivery.status),
    }),
    dmarcPolicy: message.dmarcPolicy,
    authenticationResults: details.authenticationResults ?? "",
    authTimedOut: Boolean(details.timedOut),
    headers: asHeaders(message.headers),
    hops: hopsOf(asHops(message.hops), message),
    rawSha256: message.rawSha256,
  };
}

/** A refused attempt at one of this organisation's addresses; null for anyone else's. */
export async function getRefusalDetail(scope: MessageScope, id: string, db: DbClient = getDb()): Promise<RefusalDetail | null> {
  if (!isUuid(id)) return null;
  const refusal = await db.inboundRefusal.findFirst({
    where: { id, organizationId: scope.organizationId },
    include: { domain: { select: { id: true, displayName: true, organizationId: true } } },
  });
  if (!refusal) return null;
  const domain = refusal.domain && refusal.domain.organizationId === scope.organizationId ? { id: refusal.domain.id, name: refusal.domain.displayName } : null;
  return {
    id: refusal.id,
    at: refusal.createdAt.toISOString(),
    stage: refusal.stage,
    clientAddress: refusal.clientAddress,
    helo: refusal.helo,
    envelopeFrom: refusal.envelopeFrom,
    recipient: refusal.recipient,
    subject: refusal.subject,
    messageIdHeader: refusal.messageIdHeader,
    size: refusal.size,
    code: refusal.code,
    enhancedStatus: refusal.enhancedStatus,
    reply: refusal.reply,
    reason: refusal.reason,
    reasonLabel: REFUSAL_REASON_LABELS[refusal.reason] ?? refusal.reason,
    explanation: refusal.explanation,
    closestRoutes: refusal.closestRoutes.map((address) => ({ address })),
    suppressed: refusal.suppressed,
    domain,
  };
}

export interface RawMessage {
  fileName: string;
  body: Buffer;
  sha256: string;
}

/**
 * The message as stored (our Received and Authentication-Results headers on top), for the .eml
 * download. Manage permission only: the raw message holds every header and the whole body.
 */
export async function readMessageEml(actor: MessageScope & AccessSubject, id: string, db: DbClient = getDb()): Promise<RawMessage> {
  if (!can(actor, "manage")) throw new Error("readMessageEml needs an actor with the manage permission");
  const missing = () => new NotFoundError("This message does not exist, or it was deleted.");
  if (!isUuid(id)) throw missing();
  const owned = await db.inboundDelivery.findFirst({ where: { messageId: id, organizationId: actor.organizationId }, select: { id: true } });
  if (!owned) throw missing();
  const message = await db.inboundMessage.findUnique({ where: { id }, select: { rawGzip: true, rawSha256: true } });
  if (!message) throw missing();
  return { fileName: `message-${id.toLowerCase()}.eml`, body: await readRawMessage(message.rawGzip), sha256: message.rawSha256 };
}

/**
 * Messages each route or queue received in the last 7 days, for the Routes and Queues pages, counted
 * up to RECENT_MESSAGES_CAP each: one short range of the (route_id | queue_id, received_at) index per
 * id, so a page of 100 routes stays cheap however much mail a busy route gets. The ids are scoped by
 * joining the organisation's own routes or queues; their deliveries are that organisation's.
 */
export async function countRecentMessages(scope: MessageScope, by: "route" | "queue", ids: readonly string[], db: DbClient = getDb(), now = new Date()): Promise<Record<string, number>> {
  const wanted = [...new Set(ids.filter((id) => isUuid(id)))];
  if (wanted.length === 0) return {};
  const owners = Prisma.raw(by === "route" ? "routes" : "queues");
  const rows = await db.$queryRaw<{ id: string; count: number }[]>`
    SELECT o.id::text AS id, ${recentMessagesCountSql(by, Prisma.sql`o.id`, now)} AS count
      FROM ${owners} o
     WHERE o.organization_id = ${scope.organizationId}::uuid AND o.id = ANY(${wanted}::uuid[])`;
  return Object.fromEntries(rows.filter((row) => row.count > 0).map((row) => [row.id, row.count]));
}

/**
 * countRecentMessages' count for one route or queue (`owner`, an SQL expression for its id), as a
 * subquery: a list that already reads its rows in one statement (the routes list) counts them there.
 */
export function recentMessagesCountSql(by: "route" | "queue", owner: Prisma.Sql, now = new Date()): Prisma.Sql {
  const since = new Date(now.getTime() - RECENT_MESSAGES_DAYS * 86_400_000);
  const column = Prisma.raw(by === "route" ? "route_id" : "queue_id");
  return Prisma.sql`(SELECT count(*)::int FROM (SELECT 1 FROM inbound_deliveries d
                                   WHERE d.${column} = ${owner} AND d.received_at >= ${since}::timestamptz
                                   LIMIT ${RECENT_MESSAGES_CAP}) capped)`;
}

import "server-only";

import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";

import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";

import type { AppConfig } from "@/lib/config/env";
import { configuredDatabaseUrl, getDb, getPool, type Database, type Queryable } from "@/lib/db/client";
import { ResolverCache } from "@/lib/dns";
import { dnsOptionsFrom } from "@/lib/domains/dns-options";
import { log as rootLog, type Logger } from "@/lib/log";
import { startHeartbeat } from "@/lib/runtime/heartbeat";
import { findOriginalDomains } from "@/lib/routes/original-domain";

import { authenticateMessage, uniformAuthentication, type Authentication, type AuthenticationSettings } from "./authenticate";
import { clientKey, RateCounters } from "./counters";
import type { GatewayState, GatewayStatus } from "./gateway-state";
import { inspectHeaders, storedHeaders } from "./headers";
import { readMessageInfo, type MessageInfo } from "./message-info";
import { findOriginalRecipient } from "./original-recipient";
import { receivedChain } from "./received";
import { loadDomainRoutes } from "./domain-routes";
import { decideRecipient } from "./recipients";
import { recordRefusal, type RefusalContext } from "./refusal-log";
import { RouteCache, type RouteCacheStats } from "./route-cache";
import { refusals, SHUTTING_DOWN, SmtpReplyError, type Refusal } from "./replies";
import { MessageWriter, type AcceptedRecipient } from "./store";
import { loadTlsFiles, type TlsFiles } from "./tls";
import type { DeliveryStatus } from "./types";

/**
 * The inbound SMTP gateway (docs/inbound.md): the host our MX records name. Protocol by
 * smtp-server; everything it decides, it decides from PostgreSQL, so any number of instances can
 * run side by side with nothing shared but the database. It is never an open relay: RCPT TO is
 * accepted only for an address with a route on a domain that receives mail, and a message is
 * answered 250 only once it and its deliveries are committed.
 */
export type GatewayMode = "in-process" | "separate";

export interface GatewayOptions {
  config: AppConfig;
  mode: GatewayMode;
  db?: Database;
  /** The hot path's statements (counters, route lookup, storing); default: the pool under getDb(). */
  pool?: Queryable;
  log?: Logger;
  /** Overrides INBOUND_SMTP_HOST / INBOUND_SMTP_PORT (tests listen on port 0). */
  host?: string;
  port?: number;
  /** Cache routing decisions, kept right by LISTEN/NOTIFY (lib/mail/route-cache.ts). Default true. */
  routeCache?: boolean;
  /** Where a generated certificate is kept (default DATA_DIR). */
  dataDir?: string;
  /**
   * Called after each RCPT TO's routing decision with the milliseconds it took (bench/inbound.ts
   * reads its percentiles). Unset in production: then not even the clock is read.
   */
  onRecipientDecided?: (elapsedMs: number, accepted: boolean) => void;
}

export interface InboundGateway {
  readonly id: string;
  readonly port: number;
  status(): GatewayStatus;
  /** The routing decision cache's state, null when it is off. */
  routeCache(): RouteCacheStats | null;
  /**
   * Stops taking mail: new connections and new transactions get 421, transactions already under
   * way finish (up to `timeoutMs`), then the listener closes.
   */
  stop(timeoutMs?: number): Promise<void>;
}

interface Transaction {
  /** Accepted recipients by lower-cased address. */
  recipients: Map<string, { domain: AcceptedRecipient["domainId"]; organizationId: string; scenario: string; route: AcceptedRecipient["route"] }>;
}

const SPAM_POLICIES = new Set(["quarantine", "reject"]);

export function gatewayHostname(config: AppConfig): string {
  return config.INBOUND_HOSTNAME ?? config.INBOUND_MX_HOSTS[0]?.exchange ?? os.hostname();
}

/** RFC 5322 date-time in UTC. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/**
 * What the gateway's smtp-server is told about the protocol (everything but the handlers); also
 * the options of bench/inbound.ts's discard baseline, so the two differ only in what they do with mail.
 */
export function protocolOptions(config: AppConfig, hostname: string, tls: Pick<TlsFiles, "key" | "cert">): SMTPServerOptions {
  return {
    name: hostname,
    banner: "Email Routing Console",
    size: config.INBOUND_MAX_MESSAGE_SIZE,
    key: tls.key,
    cert: tls.cert,
    disabledCommands: ["AUTH"],
    authOptional: true,
    // Reverse lookups would go to the operating system's resolver; the client's name is not needed to decide anything.
    disableReverseLookup: true,
    socketTimeout: config.INBOUND_SOCKET_TIMEOUT,
    closeTimeout: 1_000,
    maxClients: 2_000,
    logger: false,
  };
}

export async function startGateway(options: GatewayOptions): Promise<InboundGateway> {
  const { config, mode } = options;
  const db = options.db ?? getDb();
  const pool = options.pool ?? getPool();
  const id = `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const log = (options.log ?? rootLog).child({ component: "inbound", gateway: id });
  const hostname = gatewayHostname(config);
  const startedAt = new Date();
  const dns = await dnsOptionsFrom(config);
  const authSettings: AuthenticationSettings = {
    resolvers: dns.resolvers,
    timeoutMs: config.DNS_TIMEOUT_MS,
    deadlineMs: config.INBOUND_AUTH_DEADLINE,
    // Within TTLs, as any resolver would: a busy sender's records are asked once, not for each message.
    cache: new ResolverCache(),
  };
  const tls = await loadTlsFiles({
    certPath: config.INBOUND_TLS_CERT,
    keyPath: config.INBOUND_TLS_KEY,
    dataDir: options.dataDir ?? path.resolve(config.DATA_DIR),
    hostname,
  });

  const connectionString = configuredDatabaseUrl();
  const routeCache =
    options.routeCache !== false && connectionString
      ? new RouteCache({ connectionString, log, loadDomain: (domainId, limit) => loadDomainRoutes(pool, domainId, limit) })
      : null;
  await routeCache?.start();
  /** A hot-path statement failed: the database may be gone, so no routing decision is taken from memory. */
  const databaseTrouble = () => routeCache?.invalidate();
  const writer = new MessageWriter(pool);
  const rateCounters = new RateCounters(pool, (error) => {
    databaseTrouble();
    log.warn({ err: error }, "rate limit counts not written: database unavailable; kept for the next try");
  });

  let state: GatewayState = "starting";
  const transactions = new Map<string, Transaction>();
  /** Messages between the end of DATA and the reply (being checked and stored). */
  let storing = 0;
  /** Refusal writes still under way (awaited on stop so none is lost). */
  const pendingWrites = new Set<Promise<unknown>>();
  /** Recipients refused on each connection since its last accepted message (INBOUND_MAX_REFUSED_RECIPIENTS). */
  const refusedRecipients = new Map<string, number>();
  /** Each session's refusals are written in order, so a flood's count lands on its last stored row. */
  const sessionWrites = new Map<string, Promise<unknown>>();

  const refusalCaps = {
    perMinute: config.INBOUND_REFUSALS_PER_MINUTE,
    perClientPerMinute: config.INBOUND_REFUSALS_PER_CLIENT_PER_MINUTE,
    perOrganizationPerMinute: config.INBOUND_REFUSALS_PER_ORGANIZATION_PER_MINUTE,
  };

  const helo = (session: SMTPServerSession) => session.hostNameAppearsAs || null;
  const envelopeFrom = (session: SMTPServerSession) => (session.envelope.mailFrom ? session.envelope.mailFrom.address : null);

  /** Logs a refusal (capped) without holding up the reply; returns the error smtp-server answers with. */
  function refuse(session: SMTPServerSession, refusal: Refusal, context: Partial<RefusalContext> & Pick<RefusalContext, "stage">): SmtpReplyError {
    const full: RefusalContext = {
      gateway: id,
      sessionId: session.id,
      clientAddress: session.remoteAddress,
      helo: helo(session),
      envelopeFrom: envelopeFrom(session),
      recipient: null,
      recipientDomain: "",
      organizationId: null,
      domainId: null,
      ...context,
    };
    const previous = sessionWrites.get(session.id) ?? Promise.resolve();
    const write = previous
      .then(() => recordRefusal(db, refusal, full, refusalCaps))
      .then((outcome) => log[outcome === "stored" ? "info" : "debug"]({ session: session.id, client: full.clientAddress, reason: refusal.reason, code: refusal.code, recipient: full.recipient, outcome }, "refused"))
      .catch((error: unknown) => log.warn({ err: error, session: session.id, reason: refusal.reason }, "could not record a refusal"));
    pendingWrites.add(write);
    sessionWrites.set(session.id, write);
    void write.finally(() => {
      pendingWrites.delete(write);
      if (sessionWrites.get(session.id) === write) sessionWrites.delete(session.id);
    });
    return new SmtpReplyError(refusal);
  }

  /** Counts one more connection or message of this client this minute (across instances): still within `limit`? */
  async function withinLimit(session: SMTPServerSession, what: "connections" | "messages", limit: number): Promise<boolean> {
    try {
      return await rateCounters.hit(`${what}:${clientKey(session.remoteAddress)}`, limit);
    } catch (error) {
      // Limits fail open: without the database RCPT TO answers 451 anyway, and a limit must not stop mail on its own.
      databaseTrouble();
      log.warn({ err: error, session: session.id }, `${what === "connections" ? "connection" : "message"} limit not checked: database unavailable`);
      return true;
    }
  }

  const server = new SMTPServer({
    ...protocolOptions(config, hostname, tls),

    onConnect(session, callback) {
      if (state === "draining" || state === "stopped") return callback(new SmtpReplyError(SHUTTING_DOWN));
      const limit = config.INBOUND_RATE_CONNECTIONS_PER_MINUTE;
      withinLimit(session, "connections", limit).then((within) => callback(within ? undefined : refuse(session, refusals.connectionRateLimited(limit), { stage: "connect" })));
    },

    onMailFrom(address: SMTPServerAddress, session, callback) {
      if (state === "draining" || state === "stopped") return callback(new SmtpReplyError(SHUTTING_DOWN));
      transactions.set(session.id, { recipients: new Map() });
      const limit = config.INBOUND_RATE_MESSAGES_PER_MINUTE;
      withinLimit(session, "messages", limit).then((within) => {
        if (within) return callback();
        transactions.delete(session.id);
        callback(refuse(session, refusals.messageRateLimited(limit), { stage: "mail", envelopeFrom: address.address }));
      });
    },

    onRcptTo(address: SMTPServerAddress, session, callback) {
      const transaction = transactions.get(session.id);
      if (!transaction) return callback(new SmtpReplyError(refusals.temporaryFailure()));
      const key = address.address.toLowerCase();
      if (!transaction.recipients.has(key) && transaction.recipients.size >= config.INBOUND_MAX_RECIPIENTS) {
        return callback(refuse(session, refusals.tooManyRecipients(config.INBOUND_MAX_RECIPIENTS), { stage: "rcpt", recipient: address.address }));
      }
      // Guessing addresses (a dictionary attack) ends here, before another lookup: 421 closes the connection.
      const refused = refusedRecipients.get(session.id) ?? 0;
      if (refused >= config.INBOUND_MAX_REFUSED_RECIPIENTS) {
        return callback(refuse(session, refusals.tooManyRefusedRecipients(config.INBOUND_MAX_REFUSED_RECIPIENTS), { stage: "rcpt", recipient: address.address }));
      }
      const decided = options.onRecipientDecided;
      const decisionStarted = decided ? performance.now() : 0;
      decideRecipient(db, address.address, config.PLATFORM_DOMAIN, pool, routeCache)
        .then((decision) => {
          decided?.(performance.now() - decisionStarted, decision.accepted);
          if (!decision.accepted) {
            refusedRecipients.set(session.id, refused + 1); // a session's commands run one at a time
            return callback(
              refuse(session, decision.refusal, {
                stage: "rcpt",
                recipient: address.address,
                recipientDomain: decision.recipientDomain,
                organizationId: decision.domain?.organizationId ?? null,
                domainId: decision.domain?.id ?? null,
              }),
            );
          }
          transaction.recipients.set(key, {
            domain: decision.domain.id,
            organizationId: decision.domain.organizationId,
            scenario: decision.domain.scenario,
            route: decision.route,
          });
          callback();
        })
        .catch((error: unknown) => {
          databaseTrouble();
          log.warn({ err: error, session: session.id }, "recipient not checked: database unavailable");
          callback(new SmtpReplyError(refusals.temporaryFailure()));
        });
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let collected = 0;
      let overflow = false;
      stream.on("data", (chunk: Buffer) => {
        if (overflow) return;
        if (collected + chunk.length > config.INBOUND_MAX_MESSAGE_SIZE) {
          overflow = true;
          chunks.length = 0; // nothing of an oversized message is kept
          return;
        }
        chunks.push(chunk);
        collected += chunk.length;
      });
      stream.once("end", () => {
        storing++;
        const received = Buffer.concat(chunks);
        finishMessage(session, received, stream.sizeExceeded || overflow ? Math.max(stream.byteLength, collected) : null)
          .then((reply) => callback(null, reply), (error: Error) => callback(error))
          .finally(() => {
            storing--;
            transactions.delete(session.id);
          });
      });
    },

    onClose(session) {
      transactions.delete(session.id);
      refusedRecipients.delete(session.id);
    },
  });

  server.on("error", (error) => log.warn({ err: error }, "smtp connection error"));

  /** Scenarios 2 and 4: the domain the customer wrote to before the admin's server redirected it (from memory when the cache is live). */
  async function originalDomainOf(address: string, entry: { domain: string; organizationId: string; scenario: string }): Promise<string | null> {
    const domain = { id: entry.domain, name: address.slice(address.lastIndexOf("@") + 1).toLowerCase(), scenario: entry.scenario };
    const load = async () => (await findOriginalDomains(db, entry.organizationId, [domain])).get(entry.domain) ?? null;
    return routeCache ? routeCache.originalDomain(`${domain.id} ${domain.name}`, load) : load();
  }

  /** Everything after the final dot: limits, authentication, routing and the one transaction. */
  async function finishMessage(session: SMTPServerSession, raw: Buffer, oversized: number | null): Promise<string> {
    const transaction = transactions.get(session.id);
    const accepted = session.envelope.rcptTo.map((rcpt) => ({ rcpt, entry: transaction?.recipients.get(rcpt.address.toLowerCase()) }));
    const dataRefusal = (refusal: Refusal, info: Partial<MessageInfo> = {}) => {
      // One log line per recipient, each in its own organisation's log; the reply is sent once.
      for (const { rcpt, entry } of accepted) {
        refuse(session, refusal, {
          stage: "data",
          recipient: rcpt.address,
          recipientDomain: rcpt.address.slice(rcpt.address.lastIndexOf("@") + 1).toLowerCase(),
          organizationId: entry?.organizationId ?? null,
          domainId: entry?.domain ?? null,
          subject: info.subject ?? null,
          messageIdHeader: info.messageIdHeader ?? null,
          traceToken: info.traceToken ?? null,
          size: oversized ?? raw.length,
        });
      }
      return new SmtpReplyError(refusal);
    };
    if (!transaction || accepted.some(({ entry }) => !entry)) throw new SmtpReplyError(refusals.temporaryFailure());
    if (oversized !== null) throw dataRefusal(refusals.messageTooLarge(oversized, config.INBOUND_MAX_MESSAGE_SIZE));

    const verdict = inspectHeaders(raw, { maxHeaderBytes: config.INBOUND_MAX_HEADER_SIZE, maxReceived: config.INBOUND_MAX_RECEIVED_HEADERS });
    if (!verdict.ok) {
      if (verdict.reason === "header_too_large") throw dataRefusal(refusals.headerTooLarge(verdict.headerBytes, config.INBOUND_MAX_HEADER_SIZE));
      // The header section is within limits: its subject and trace token help whoever reads the log.
      const looping = await readMessageInfo(raw, verdict.parts, verdict.fields);
      throw dataRefusal(refusals.mailLoop(verdict.received, config.INBOUND_MAX_RECEIVED_HEADERS), looping);
    }
    const info = await readMessageInfo(raw, verdict.parts, verdict.fields);
    const sender = envelopeFrom(session) ?? "";
    const clientHelo = helo(session) ?? session.remoteAddress;
    let auth: Authentication;
    try {
      auth = await authenticateMessage({ raw, clientAddress: session.remoteAddress, helo: clientHelo, envelopeFrom: sender, mta: hostname }, authSettings);
    } catch (error) {
      log.warn({ err: error, session: session.id }, "authentication failed unexpectedly; verdicts recorded as temperror");
      auth = uniformAuthentication("temperror");
    }
    const spam = auth.dmarc === "fail" && auth.dmarcPolicy !== null && SPAM_POLICIES.has(auth.dmarcPolicy);

    const messageId = randomUUID();
    const receivedAt = new Date();
    const tlsProtocol = session.tlsOptions ? (session.tlsOptions.version ?? "TLS") : null;
    const single = accepted.length === 1 ? `\r\n\tfor <${accepted[0]!.rcpt.address}>` : "";
    const receivedHeader =
      `Received: from ${clientHelo} ([${session.remoteAddress}])\r\n\tby ${hostname} (Email Routing Console) with ${session.transmissionType || "ESMTP"}` +
      `\r\n\tid ${messageId}${single}; ${rfc5322Date(receivedAt)}\r\n`;
    const stored = Buffer.concat([Buffer.from(receivedHeader + auth.headers, "utf8"), raw]);

    const originals = new Map<string, string | null>();
    const recipients: AcceptedRecipient[] = [];
    for (const { rcpt, entry } of accepted) {
      const route = entry!.route;
      const status: DeliveryStatus = spam ? (route.spamQueue ? "spam" : "flagged") : "queued";
      let originalRecipient: string | null = null;
      if (entry!.scenario === "own_domain_with_copies" || entry!.scenario === "platform_domain_with_copies") {
        if (!originals.has(entry!.domain)) originals.set(entry!.domain, await originalDomainOf(rcpt.address, entry!));
        originalRecipient = findOriginalRecipient(rcpt.address, verdict.fields, { originalDomain: originals.get(entry!.domain) ?? null });
      }
      recipients.push({ recipient: rcpt.address, organizationId: entry!.organizationId, domainId: entry!.domain, route, status, originalRecipient });
    }

    try {
      await writer.store({
        id: messageId,
        receivedAt,
        gateway: id,
        sessionId: session.id,
        clientAddress: session.remoteAddress,
        clientHostname: null,
        helo: clientHelo,
        tlsProtocol,
        envelopeFrom: sender,
        headerFrom: info.headerFrom,
        subject: info.subject,
        messageIdHeader: info.messageIdHeader,
        sentAt: info.sentAt,
        size: raw.length,
        traceToken: info.traceToken,
        headers: storedHeaders(verdict.fields),
        hops: receivedChain(verdict.fields),
        auth,
        stored,
        recipients,
      });
    } catch (error) {
      databaseTrouble();
      log.warn({ err: error, session: session.id }, "message not stored: answering 451");
      throw new SmtpReplyError(refusals.temporaryFailure());
    }
    log.info(
      { session: session.id, messageId, client: session.remoteAddress, recipients: recipients.length, size: raw.length, spf: auth.spf, dkim: auth.dkim, dmarc: auth.dmarc, spam },
      "message accepted",
    );
    refusedRecipients.delete(session.id);
    return `2.0.0 Ok: queued as ${messageId}`;
  }

  const host = options.host ?? config.INBOUND_SMTP_HOST ?? "0.0.0.0";
  const requestedPort = options.port ?? config.INBOUND_SMTP_PORT;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.server.off("listening", onListening);
      void routeCache?.stop();
      reject(error);
    };
    const onListening = () => {
      server.server.off("error", onError);
      resolve();
    };
    server.server.once("error", onError);
    server.server.once("listening", onListening);
    server.listen(requestedPort, host);
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : requestedPort;
  state = "listening";

  const heartbeat = await startHeartbeat({
    service: "inbound gateway",
    intervalMs: config.WORKER_HEARTBEAT_INTERVAL,
    log,
    active: () => state === "listening",
    beat: async (now) => {
      await db.inboundGatewayHeartbeat.upsert({
        where: { id },
        create: { id, mode, host: os.hostname().slice(0, 255), pid: process.pid, port, startedAt, seenAt: now },
        update: { seenAt: now },
      });
    },
  });
  log.info({ host, port, mode, tls: tls.source, hostname }, "inbound SMTP gateway listening");

  // A connection still in its greeting has no envelope yet.
  const transactionOpen = (connection: { session?: SMTPServerSession }) => Boolean(connection.session?.envelope?.mailFrom);
  const inTransaction = () => [...server.connections].some(transactionOpen) || storing > 0;

  let stopping: Promise<void> | null = null;
  return {
    id,
    port,
    status: () => ({ id, state, port, startedAt, lastHeartbeatAt: heartbeat.lastBeatAt() }),
    routeCache: () => routeCache?.stats() ?? null,
    stop(timeoutMs = config.SHUTDOWN_TIMEOUT) {
      stopping ??= (async () => {
        state = "draining";
        await heartbeat.stop();
        log.info({ connections: server.connections.size }, "inbound gateway draining: finishing transactions in progress");
        // Idle connections are told to come back later now; those in a transaction finish it first.
        for (const connection of server.connections) {
          if (!transactionOpen(connection)) connection.send(SHUTTING_DOWN.code, `${SHUTTING_DOWN.enhancedStatus} ${SHUTTING_DOWN.text}`);
        }
        const deadline = Date.now() + timeoutMs;
        while (inTransaction() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        state = "stopped";
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...pendingWrites, rateCounters.flush()]);
        await routeCache?.stop();
        await db.inboundGatewayHeartbeat.deleteMany({ where: { id } }).catch(() => undefined);
        log.info("inbound gateway stopped");
      })();
      return stopping;
    },
  };
}

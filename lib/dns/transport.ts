import dgram from "node:dgram";
import net from "node:net";
import type { ServerAddress } from "./servers";
import { formatServerAddress } from "./servers";
import type { QueryType } from "./types";
import type { ParsedReply, QuerySpec, ReplyMatch } from "./wire";
import { encodeQuery, errorMessage, matchReply, randomQueryId } from "./wire";

export interface ExchangeOptions {
  /** Per attempt, milliseconds. */
  timeoutMs: number;
  /** Extra UDP attempts after the first one times out or fails. */
  retries: number;
  /** Set RD: true for recursive resolvers, false for authoritative servers. */
  recursive: boolean;
  /** Aborting ends the exchange at once with a `timeout` result (the run's deadline). */
  signal?: AbortSignal;
}

export type ExchangeResult =
  | { kind: "reply"; reply: ParsedReply; transport: "udp" | "tcp" }
  | { kind: "timeout"; message: string }
  | { kind: "network_error"; message: string }
  | { kind: "malformed"; message: string };

// Hard cap on what one TCP exchange may buffer: a DNS message is at most 65535 bytes, a
// server streaming more than a few of them at us is hostile.
const TCP_MAX_BUFFERED = 4 * 65537;

/**
 * Sends one question to one server and waits for its reply: UDP with EDNS0 first
 * (retrying on silence), TCP when the reply is truncated, once more without EDNS when the
 * server answers FORMERR to the OPT record. Never rejects.
 */
export async function exchange(
  server: ServerAddress,
  name: string,
  type: QueryType,
  options: ExchangeOptions,
): Promise<ExchangeResult> {
  const where = formatServerAddress(server);
  let edns = true;
  let last: ExchangeResult = { kind: "timeout", message: `no reply from ${where}` };
  const attempts = Math.max(0, Math.floor(options.retries)) + 1;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (options.signal?.aborted) return deadlineResult(where);
    const spec: QuerySpec = { id: randomQueryId(), name, type, recursive: options.recursive, edns };
    const result = await udpAttempt(server, spec, options);
    if (result.kind === "reply") {
      if (result.reply.truncated) return tcpExchange(server, { ...spec, id: randomQueryId() }, options);
      if (result.reply.rcode === "FORMERR" && edns) {
        // Old servers reject the OPT record; one retry without it does not use up an attempt.
        edns = false;
        attempt -= 1;
        continue;
      }
      return result;
    }
    last = result;
    // A server that answers garbage is answering: asking again only adds latency.
    if (result.kind === "malformed") return result;
  }
  return last;
}

function deadlineResult(where: string): ExchangeResult {
  return { kind: "timeout", message: `deadline reached before ${where} answered` };
}

function udpAttempt(server: ServerAddress, spec: QuerySpec, options: ExchangeOptions): Promise<ExchangeResult> {
  const where = formatServerAddress(server);
  return new Promise((resolve) => {
    let garbled: string | null = null;
    let waiting: { release: () => void } | null = null;
    const attempt = settleOnce(
      options,
      where,
      resolve,
      () =>
        garbled
          ? { kind: "malformed", message: `${where} sent only unreadable replies (${garbled})` }
          : { kind: "timeout", message: `no reply from ${where} within ${options.timeoutMs} ms` },
      () => waiting?.release(),
    );
    const finish = attempt.finish;
    if (attempt.settled) return;

    let channel: UdpChannel;
    try {
      channel = udpChannelTo(server);
    } catch (error) {
      return finish({ kind: "network_error", message: `cannot query ${where}: ${errorMessage(error)}` });
    }
    const id = channel.freeId(spec.id);
    const asked: QuerySpec = { ...spec, id };
    let query: Buffer;
    try {
      query = encodeQuery(asked);
    } catch (error) {
      return finish({ kind: "network_error", message: `cannot query ${where}: ${errorMessage(error)}` });
    }
    waiting = channel.expect(id, {
      reply: (msg) => {
        const match: ReplyMatch = matchReply(msg, asked);
        switch (match.kind) {
          case "ignore":
            return;
          case "garbled":
            garbled = match.reason;
            return;
          case "malformed":
            return finish({ kind: "malformed", message: `${where}: ${match.message}` });
          case "reply":
            return finish({ kind: "reply", reply: match.reply, transport: "udp" });
        }
      },
      error: (error) => finish({ kind: "network_error", message: describeSocketError(error, where) }),
    });
    channel.send(query, (error) => finish({ kind: "network_error", message: describeSocketError(error, where) }));
  });
}

interface PendingQuery {
  reply(msg: Buffer): void;
  error(error: NodeJS.ErrnoException): void;
}

/** A channel's socket is replaced after this many queries, so its source port does not stay the same for long. */
const QUERIES_PER_SOCKET = 256;
/** A channel with nothing pending closes its socket after this long. */
const CHANNEL_IDLE_MS = 1_000;

/**
 * One connected UDP socket to one server, shared by the queries under way to it: a check asks
 * the same few servers a few dozen questions, and opening, connecting and closing a socket for
 * each of them was a tenth of a re-check worker's CPU (bench/recheck.ts). Replies are handed to
 * the query with their id, which still checks the question (matchReply). Being connected, the
 * socket accepts datagrams from that server only and receives its ICMP port-unreachable; an error
 * there ends every query waiting on it, as it would have ended each one's own socket. The socket
 * is retired after QUERIES_PER_SOCKET queries and closed once idle, so that its source port,
 * which a forger would have to guess with the id, changes.
 */
class UdpChannel {
  private readonly pending = new Map<number, PendingQuery>();
  private readonly socket: dgram.Socket;
  private readonly ready: Promise<void>;
  private sent = 0;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    server: ServerAddress,
    private readonly retire: (channel: UdpChannel) => void,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(server.host) ? "udp6" : "udp4");
    // It does not keep the process alive on its own: each query under way has its own timer.
    this.socket.unref();
    this.socket.on("message", (msg: Buffer) => {
      if (msg.length >= 2) this.pending.get(msg.readUInt16BE(0))?.reply(msg);
    });
    this.socket.on("error", (error: NodeJS.ErrnoException) => this.fail(error));
    this.ready = new Promise<void>((resolve, reject) => {
      try {
        this.socket.connect(server.port, server.host, () => resolve());
      } catch (error) {
        reject(error as Error);
      }
    });
    // A failure to connect reaches the queries through the socket's error event (or below).
    this.ready.catch((error: NodeJS.ErrnoException) => this.fail(error));
  }

  /** `wanted` unless a query under way here already has it: ids must tell the replies apart. */
  freeId(wanted: number): number {
    let id = wanted;
    while (this.pending.has(id)) id = randomQueryId();
    return id;
  }

  expect(id: number, query: PendingQuery): { release: () => void } {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    this.pending.set(id, query);
    return {
      release: () => {
        if (this.pending.get(id) !== query) return;
        this.pending.delete(id);
        if (this.pending.size === 0 && !this.closed) {
          this.idle = setTimeout(() => this.close(), this.sent >= QUERIES_PER_SOCKET ? 0 : CHANNEL_IDLE_MS);
          this.idle.unref();
        }
      },
    };
  }

  send(query: Buffer, onError: (error: NodeJS.ErrnoException) => void): void {
    this.sent += 1;
    if (this.sent >= QUERIES_PER_SOCKET) this.retire(this);
    this.ready.then(
      () => {
        if (this.closed) return;
        this.socket.send(query, (error) => {
          if (error) onError(error);
        });
      },
      () => undefined,
    );
  }

  private fail(error: NodeJS.ErrnoException): void {
    const waiting = [...this.pending.values()];
    this.close();
    for (const query of waiting) query.error(error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    this.retire(this);
    try {
      this.socket.close();
    } catch {
      // Already closed by an error: nothing left to release.
    }
  }
}

const udpChannels = new Map<string, UdpChannel>();

function udpChannelTo(server: ServerAddress): UdpChannel {
  const key = `${server.host}|${server.port}`;
  let channel = udpChannels.get(key);
  if (!channel) {
    const created: UdpChannel = new UdpChannel(server, (gone) => {
      if (udpChannels.get(key) === gone) udpChannels.delete(key);
    });
    channel = created;
    udpChannels.set(key, channel);
  }
  return channel;
}

/**
 * One attempt ends once, whichever comes first: a result, silence for `timeoutMs` (`onSilence`
 * says what that means), or the run's deadline. `release` frees the attempt's socket.
 */
function settleOnce(
  options: ExchangeOptions,
  where: string,
  resolve: (result: ExchangeResult) => void,
  onSilence: () => ExchangeResult,
  release: () => void,
): { finish: (result: ExchangeResult) => void; readonly settled: boolean } {
  let settled = false;
  const finish = (result: ExchangeResult): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    release();
    resolve(result);
  };
  const onAbort = (): void => finish(deadlineResult(where));
  const timer = setTimeout(() => finish(onSilence()), options.timeoutMs);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    finish,
    get settled() {
      return settled;
    },
  };
}

function describeSocketError(error: NodeJS.ErrnoException, where: string): string {
  if (error.code === "ECONNREFUSED") return `${where} refused the connection (nothing listening on that port)`;
  if (error.code === "EHOSTUNREACH" || error.code === "ENETUNREACH") return `${where} is unreachable (${error.code})`;
  return `${where}: ${error.message}`;
}

function tcpExchange(server: ServerAddress, spec: QuerySpec, options: ExchangeOptions): Promise<ExchangeResult> {
  const where = formatServerAddress(server);
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    let mismatch: string | null = null;
    let socket: net.Socket | null = null;
    const attempt = settleOnce(
      options,
      where,
      resolve,
      () => ({ kind: "timeout", message: `no reply from ${where} over TCP within ${options.timeoutMs} ms` }),
      () => socket?.destroy(),
    );
    const finish = attempt.finish;
    if (attempt.settled) return;

    let framed: Buffer;
    try {
      const query = encodeQuery(spec);
      framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
    } catch (error) {
      return finish({ kind: "network_error", message: `cannot query ${where}: ${errorMessage(error)}` });
    }
    const sock = net.connect({ host: server.host, port: server.port });
    socket = sock;
    sock.on("connect", () => sock.write(framed));
    sock.on("error", (error: NodeJS.ErrnoException) => {
      finish({ kind: "network_error", message: `TCP: ${describeSocketError(error, where)}` });
    });
    sock.on("close", () => {
      finish(
        mismatch
          ? { kind: "malformed", message: `${where} (TCP): ${mismatch}` }
          : { kind: "network_error", message: `${where} closed the TCP connection without replying` },
      );
    });
    sock.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > TCP_MAX_BUFFERED) {
        return finish({ kind: "malformed", message: `${where} (TCP) sent more data than any reply can hold` });
      }
      // Several messages may arrive in one chunk; each is length-prefixed.
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const match = matchReply(message, spec);
        if (match.kind === "reply") {
          if (match.reply.truncated && match.reply.answers.length === 0) {
            return finish({ kind: "malformed", message: `${where} set the truncation bit on a TCP reply` });
          }
          return finish({ kind: "reply", reply: match.reply, transport: "tcp" });
        }
        if (match.kind === "malformed") return finish({ kind: "malformed", message: `${where} (TCP): ${match.message}` });
        mismatch = match.reason;
      }
    });
  });
}

import net from "node:net";

/**
 * A plain SMTP client on a raw socket, for tests that must control every byte (bare LF, 8-bit,
 * huge headers, a DATA cut short) and read every reply as sent. Loopback only.
 */
export interface Reply {
  code: number;
  /** The text of every line after the code, joined with newlines. */
  text: string;
  lines: string[];
}

export class SmtpClient {
  private buffer = "";
  private waiting: ((reply: Reply) => void)[] = [];
  private replies: Reply[] = [];
  /** Every reply received, in order (also the ones nobody waited for). */
  readonly log: Reply[] = [];
  readonly closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  /** `localAddress` (another 127.x address) makes the gateway see a different client. */
  static async connect(port: number, options: { host?: string; localAddress?: string } = {}): Promise<{ client: SmtpClient; greeting: Reply }> {
    const host = options.host ?? "127.0.0.1";
    if (!host.startsWith("127.")) throw new Error("tests talk SMTP on loopback only");
    const socket = net.connect({ port, host, localAddress: options.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new SmtpClient(socket);
    return { client, greeting: await client.reply() };
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const lines: string[] = [];
      let rest = this.buffer;
      let complete: Reply | null = null;
      for (let end = rest.indexOf("\r\n"); end !== -1; end = rest.indexOf("\r\n")) {
        const line = rest.slice(0, end);
        rest = rest.slice(end + 2);
        lines.push(line);
        if (line[3] !== "-") {
          complete = { code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join("\n"), lines };
          break;
        }
      }
      if (!complete) return;
      this.buffer = rest;
      this.log.push(complete);
      const waiter = this.waiting.shift();
      if (waiter) waiter(complete);
      else this.replies.push(complete);
    }
  }

  /** The next reply (rejects if the connection closes first). */
  reply(): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      void this.closed.then(() => reject(new Error("connection closed before a reply")));
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Dot-stuffs a message for DATA and adds the terminating dot (lines end as given: CRLF or LF). */
export function dataPayload(message: string | Buffer): Buffer {
  const raw = Buffer.isBuffer(message) ? message : Buffer.from(message, "utf8");
  const text = raw.toString("latin1").replace(/(^|\n)\./g, "$1..");
  const ended = text.endsWith("\r\n") ? text : `${text}\r\n`;
  return Buffer.from(`${ended}.\r\n`, "latin1");
}

export interface Transaction {
  greeting: Reply;
  mail: Reply;
  rcpts: Reply[];
  /** The reply to the final dot, or to DATA when DATA itself was refused; null when no recipient was accepted. */
  data: Reply | null;
  client: SmtpClient;
}

/** One full SMTP transaction: EHLO, MAIL FROM, RCPT TO each, DATA (when a recipient was accepted), QUIT. */
export async function sendMail(
  port: number,
  options: { from: string; to: string[]; message: string | Buffer; helo?: string; mailParams?: string; keepOpen?: boolean; localAddress?: string },
): Promise<Transaction> {
  const { client, greeting } = await SmtpClient.connect(port, { localAddress: options.localAddress });
  try {
    await client.send(`EHLO ${options.helo ?? "client.sender.test"}`);
    const mail = await client.send(`MAIL FROM:<${options.from}>${options.mailParams ? ` ${options.mailParams}` : ""}`);
    const rcpts: Reply[] = [];
    if (mail.code === 250) for (const to of options.to) rcpts.push(await client.send(`RCPT TO:<${to}>`));
    let data: Reply | null = null;
    if (rcpts.some((reply) => reply.code === 250)) {
      const go = await client.send("DATA");
      if (go.code !== 354) data = go;
      else {
        client.write(dataPayload(options.message));
        data = await client.reply();
      }
    }
    if (!options.keepOpen) {
      await client.send("QUIT").catch(() => undefined);
      client.close();
    }
    return { greeting, mail, rcpts, data, client };
  } catch (error) {
    client.close();
    throw error;
  }
}

/** A small well-formed message. */
export function message(options: { from?: string; to?: string; subject?: string; headers?: string[]; body?: string } = {}): string {
  return [
    `From: ${options.from ?? "Customer <customer@sender.test>"}`,
    `To: ${options.to ?? "support@help.acme.test"}`,
    `Subject: ${options.subject ?? "Where is my order?"}`,
    `Date: Tue, 01 Dec 2026 10:00:00 +0000`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@sender.test>`,
    ...(options.headers ?? []),
    "",
    options.body ?? "Hello, my order has not arrived.",
    "",
  ].join("\r\n");
}

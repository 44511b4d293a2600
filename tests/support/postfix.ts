import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { findFreePort } from "@/lib/db/embedded-postgres";

/**
 * A private Postfix instance on loopback, as a real peer for mail tests (the customer's own mail
 * server, a sender's server…). Debian's Postfix, run as root with its own configuration, queue and
 * log under a temporary directory; it listens on 127.0.0.1:<random port> and reaches other servers
 * only through `transports` (domain → loopback port), since it cannot be pointed at a test resolver.
 *
 *   const postfix = await startPostfix({
 *     transports: { "acme.test": mailbox.port },
 *     configure: (dir) => ({ mainCf: ["relay_domains = acme.test"], files: { [`${dir}/virtual`]: "…" } }),
 *   });
 *   await postfix.run("postmap /path/to/virtual");   // a command line, run against this instance
 *   …send to 127.0.0.1:postfix.port…
 *   await postfix.stop();                            // always, in afterAll: stops Postfix, removes the files
 *
 * Fatal errors go to the instance's own log (`await postfix.maillog()`), which failures quote.
 */
const execFileAsync = promisify(execFile);

export const POSTFIX_PATH = "/usr/sbin/postfix";

export function postfixAvailable(): boolean {
  return existsSync(POSTFIX_PATH) && existsSync("/usr/sbin/postmap") && typeof process.getuid === "function" && process.getuid() === 0;
}

export const MISSING_POSTFIX_MESSAGE =
  `\n${"!".repeat(78)}\n` +
  `  POSTFIX TESTS SKIPPED: they need Debian's Postfix (${POSTFIX_PATH}) and root.\n` +
  `  Install it: sudo apt-get install -y --no-install-recommends postfix\n` +
  `  In CI (CI=true) this is an error, not a skip.\n` +
  `${"!".repeat(78)}\n`;

export interface PostfixSetup {
  /** main.cf settings, one "name = value" per line, added after the instance's own. */
  mainCf?: string[];
  /** Files to write before start: absolute path (inside the config directory) → contents. */
  files?: Record<string, string>;
}

export interface PostfixOptions {
  /** Domain → port of an SMTP server on 127.0.0.1 (a transport_maps entry each). */
  transports?: Record<string, number>;
  /** The instance's settings; receives the configuration directory so paths can point into it. */
  configure?: (configDir: string) => PostfixSetup;
}

export interface PostfixInstance {
  /** Configuration directory (main.cf, master.cf, maps). */
  configDir: string;
  port: number;
  /** Runs a Postfix command line (e.g. "postmap /…/virtual") against this instance's configuration. */
  run(commandLine: string): Promise<string>;
  maillog(): Promise<string>;
  stop(): Promise<void>;
}

/** Every service runs without chroot, so no copy of /etc files inside the queue is needed. */
function privateMasterCf(stock: string, port: number): string {
  return stock
    .split("\n")
    .map((line) => {
      if (/^smtp\s+inet\s/.test(line)) return `127.0.0.1:${port} inet n - n - - smtpd`;
      if (/^\s|^#|^$/.test(line)) return line;
      const fields = line.split(/\s+/);
      if (fields.length >= 8 && fields[4] === "y") fields[4] = "n";
      return fields.join(" ");
    })
    .join("\n");
}

async function waitForListener(port: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

export async function startPostfix(options: PostfixOptions = {}): Promise<PostfixInstance> {
  const root = await mkdtemp(path.join(os.tmpdir(), "erc-postfix-"));
  await chmod(root, 0o755); // Postfix's own account reads its data directory below
  const configDir = path.join(root, "config");
  const queueDir = path.join(root, "queue");
  const dataDir = path.join(root, "data");
  const logFile = path.join(root, "maillog");
  await Promise.all([mkdir(configDir), mkdir(queueDir), mkdir(dataDir)]);
  const postfixUid = Number.parseInt(execFileSync("id", ["-u", "postfix"]).toString(), 10);
  const postfixGid = Number.parseInt(execFileSync("id", ["-g", "postfix"]).toString(), 10);
  await chown(dataDir, postfixUid, postfixGid);

  const port = await findFreePort();
  const setup = options.configure?.(configDir) ?? {};
  const transports = Object.entries(options.transports ?? {}).map(([domain, to]) => `${domain} smtp:[127.0.0.1]:${to}`);
  const transportFile = path.join(configDir, "transport");
  const mainCf = [
    "compatibility_level = 3.6",
    `queue_directory = ${queueDir}`,
    `data_directory = ${dataDir}`,
    "myhostname = postfix.test",
    "mydestination =",
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    "relayhost =",
    // No DNS at all: servers are reached by address (transport_maps), clients are not looked up.
    "disable_dns_lookups = yes",
    "smtp_host_lookup = native",
    "smtpd_peername_lookup = no",
    "biff = no",
    "alias_maps =",
    "alias_database =",
    `transport_maps = texthash:${transportFile}`,
    `maillog_file = ${logFile}`,
    `maillog_file_prefixes = ${root}`,
    ...(setup.mainCf ?? []),
  ];
  await writeFile(path.join(configDir, "main.cf"), `${mainCf.join("\n")}\n`);
  await writeFile(path.join(configDir, "master.cf"), privateMasterCf(await readFile("/etc/postfix/master.cf", "utf8"), port));
  await writeFile(transportFile, transports.map((line) => `${line}\n`).join(""));
  for (const [file, contents] of Object.entries(setup.files ?? {})) await writeFile(file, contents);

  const env = { ...process.env, MAIL_CONFIG: configDir };
  const maillog = () => readFile(logFile, "utf8").catch(() => "(no log written)");
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(POSTFIX_PATH, ["-c", configDir, "stop"], { env, stdio: "ignore", timeout: 20_000 });
    } catch {
      // not running (start failed before the master came up)
    }
  };
  // A test run that dies halfway must not leave a mail server behind.
  process.once("exit", stopNow);

  const instance: PostfixInstance = {
    configDir,
    port,
    async run(commandLine) {
      const [command, ...args] = commandLine.trim().split(/\s+/);
      const { stdout, stderr } = await execFileAsync(command!, args, { env });
      return `${stdout}${stderr}`;
    },
    maillog,
    async stop() {
      process.off("exit", stopNow);
      stopNow();
      await rm(root, { recursive: true, force: true });
    },
  };

  try {
    // `postfix start` creates the queue directories with their owners ("set-permissions" would
    // too, but takes seconds walking every Postfix file on the machine).
    await execFileAsync(POSTFIX_PATH, ["-c", configDir, "start"], { env });
    if (!(await waitForListener(port, Date.now() + 10_000))) throw new Error(`Postfix did not listen on 127.0.0.1:${port}`);
  } catch (error) {
    const log = await maillog();
    await instance.stop();
    throw new Error(`Could not start a private Postfix: ${(error as Error).message}\n${log}`);
  }
  return instance;
}

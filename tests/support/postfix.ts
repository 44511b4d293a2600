import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { findFreePort } from "@/lib/db/embedded-postgres";
import { postfixCopyConfig, type RedirectRule } from "@/lib/domains/redirects";
import { listeningOnLoopback } from "@/lib/runtime/listening";

/**
 * A private Postfix instance on loopback, as a real peer for mail tests (the customer's own mail
 * server, a sender's server…). Debian's Postfix, run as root with its own configuration, queue and
 * log under a temporary directory; it listens on 127.0.0.1:<random port> and reaches other servers
 * only through `transports` (domain → loopback port), since it cannot be pointed at a test resolver.
 * Mail for any other domain is bounced by Postfix's `error` agent without a lookup: the instance
 * never asks the machine's resolver and never connects anywhere off loopback.
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
  /**
   * Command lines to run once the files are written, before start (e.g. "postmap …/virtual"): a map
   * built after start races the first smtpd, which may open the table while it is still missing and
   * then answer "451 temporary lookup failure" for as long as it lives.
   */
  commands?: string[];
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
  /** Process ids of this instance's Postfix processes (the master and its daemons) still alive. */
  processes(): Promise<number[]>;
  /**
   * Stops Postfix, waits until none of its processes is left and removes the files. Processes that
   * outlive `postfix stop` by 10 s are killed, and then it throws, naming them.
   */
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

/** Every Postfix process works inside its queue directory: that is how this instance's are told apart from any other's. */
async function processesWorkingIn(directory: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => null);
    if (cwd !== null && (cwd === directory || cwd.startsWith(`${directory}/`) || cwd.startsWith(`${directory} `))) found.push(Number(entry));
  }
  return found;
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
  const transports = Object.entries(options.transports ?? {}).map(([domain, to]) => {
    if (!Number.isInteger(to) || to <= 0 || to > 65_535) throw new Error(`transport for ${domain}: ${to} is not a port`);
    return `${domain} smtp:[127.0.0.1]:${to}`;
  });
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
    "smtp_dns_support_level = disabled",
    "smtp_host_lookup = native",
    "lmtp_host_lookup = native",
    "smtpd_peername_lookup = no",
    // Only transport_maps entries (all [127.0.0.1]:port) are delivered; everything else, bounces and
    // postmaster notices included, is bounced on the spot by the error agent, never looked up.
    "default_transport = error:5.7.1 this test's Postfix delivers only to loopback servers in transport_maps",
    "relay_transport = error:5.7.1 this test's Postfix delivers only to loopback servers in transport_maps",
    "smtp_bind_address = 127.0.0.1",
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
  const run = async (commandLine: string) => {
    const [command, ...args] = commandLine.trim().split(/\s+/);
    const { stdout, stderr } = await execFileAsync(command!, args, { env });
    return `${stdout}${stderr}`;
  };
  for (const commandLine of setup.commands ?? []) await run(commandLine);
  const maillog = () => readFile(logFile, "utf8").catch(() => "(no log written)");
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      // Waits for the master to exit (up to 5 s, then kill -9 of its process group).
      execFileSync(POSTFIX_PATH, ["-c", configDir, "stop"], { env, stdio: "ignore", timeout: 20_000 });
    } catch {
      // not running (start failed before the master came up)
    }
  };
  const processes = () => processesWorkingIn(queueDir);
  // A test run that dies halfway must not leave a mail server behind.
  process.once("exit", stopNow);

  const instance: PostfixInstance = {
    configDir,
    port,
    run,
    maillog,
    processes,
    async stop() {
      process.off("exit", stopNow);
      stopNow();
      // Daemons leave when the master tells them to; one that has not after 10 s is killed.
      const deadline = Date.now() + 10_000;
      let left = await processes();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await processes();
      }
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await rm(root, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`Postfix processes ${left.join(", ")} outlived "postfix stop" and were killed`);
    },
  };

  try {
    // `postfix start` creates the queue directories with their owners ("set-permissions" would
    // too, but takes seconds walking every Postfix file on the machine).
    await execFileAsync(POSTFIX_PATH, ["-c", configDir, "start"], { env });
    if (!(await listeningOnLoopback(port, 10_000, 50))) throw new Error(`Postfix did not listen on 127.0.0.1:${port}`);
  } catch (error) {
    const log = await maillog();
    await instance.stop().catch(() => undefined);
    throw new Error(`Could not start a private Postfix: ${(error as Error).message}\n${log}`);
  }
  return instance;
}

export interface CustomerMailServerOptions {
  /** The redirect rules, written into Postfix exactly as the console shows them (`postfixCopyConfig`). */
  rules: readonly RedirectRule[];
  /** Domains this server receives mail for and hands on to the admin's mailbox (`relay_domains`). */
  ownDomains: readonly string[];
  /** Domain → loopback port: the admin's mailbox, our gateway, the customer's server for bounces. */
  transports: Record<string, number>;
  /** More main.cf lines, after the console's (e.g. a mistake the instructions warn about). */
  extraMainCf?: string[];
}

/**
 * The admin's own Postfix in scenarios 2 and 4: the console's Postfix lines (main.cf setting, the
 * virtual alias table) written into its configuration, and the console's commands run against it
 * as shown to the admin.
 */
export async function startCustomerMailServer(options: CustomerMailServerOptions): Promise<PostfixInstance> {
  const postfix = await startPostfix({
    transports: options.transports,
    configure: (dir) => {
      const generated = postfixCopyConfig(options.rules, { mapFile: path.join(dir, "virtual") });
      return {
        mainCf: [`relay_domains = ${options.ownDomains.join(", ")}`, ...generated.mainCf, ...(options.extraMainCf ?? [])],
        files: { [generated.mapFile]: generated.virtualMap },
      };
    },
  });
  try {
    for (const command of postfixCopyConfig(options.rules, { mapFile: path.join(postfix.configDir, "virtual") }).commands) await postfix.run(command);
  } catch (error) {
    const log = await postfix.maillog();
    await postfix.stop().catch(() => undefined);
    throw new Error(`The console's Postfix commands failed: ${(error as Error).message}\n${log}`);
  }
  return postfix;
}

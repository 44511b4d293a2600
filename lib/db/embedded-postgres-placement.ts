import "server-only";

import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, cp, lstat, mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

/**
 * As root, the embedded PostgreSQL runs as the `postgres` account, which must reach both its
 * binaries and its cluster through every directory above them. A project cloned where only root can
 * enter (`mktemp -d`, /root — the home of root in containers and CI images) blocks it, so both move
 * to a shared folder that account can reach (by default /var/lib/email-routing-console, not /tmp:
 * temporary-file cleaners delete files there that have not been touched for days):
 *
 *   <shared>/postgres-<version>-<fingerprint>/   the binaries, copied once per version, shared by clones
 *   <shared>/clusters/<project>-<hash>/data      one clone's cluster, keyed by its data directory's path
 *
 * A cluster stays where it was first created, so a later change in permissions never swaps it
 * for an empty one.
 */

const execFileAsync = promisify(execFile);

export const DEFAULT_SHARED_DIR = "/var/lib/email-routing-console";
const MANIFEST = ".erc-manifest.json";

export interface ServiceAccount {
  uid: number;
  gid: number;
}

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface Placement {
  binaries: Binaries;
  dataDir: string;
  /** One sentence on what moved where and why; absent when nothing had to move. */
  note?: string;
}

/** A situation the start cannot work around: its message says why and what to do, in one sentence. */
export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlacementError";
  }
}

function ancestry(target: string): string[] {
  const chain: string[] = [];
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (current === path.dirname(current)) return chain;
  }
}

/**
 * The first directory on the way to `target` that the account cannot pass through (or `target`
 * itself when the account may not run or enter it); null when the account reaches it. Asked as the
 * account itself, so modes, owners, groups and ACLs all count, as they will for PostgreSQL.
 */
export async function firstClosedDirectory(target: string, account: ServiceAccount): Promise<string | null> {
  const script = 'for d in "$@"; do test -x "$d" || { printf %s "$d"; exit 1; }; done';
  return execFileAsync("/bin/sh", ["-c", script, "sh", ...ancestry(target)], { ...account }).then(
    () => null,
    (error: { stdout?: string }) => error.stdout || target,
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

type Entry = [relative: string, kind: "d" | "f" | "l", size: number, mode: number, link: string];

async function listTree(root: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  const walk = async (relative: string) => {
    for (const name of (await readdir(path.join(root, relative))).sort()) {
      if (relative === "" && name === MANIFEST) continue;
      const child = path.join(relative, name);
      const info = await lstat(path.join(root, child));
      if (info.isSymbolicLink()) entries.push([child, "l", 0, 0, await readlink(path.join(root, child))]);
      else if (info.isDirectory()) {
        entries.push([child, "d", 0, info.mode & 0o777, ""]);
        await walk(child);
      } else entries.push([child, "f", info.size, info.mode & 0o777, ""]);
    }
  };
  await walk("");
  return entries;
}

/** A copy is used only when every file is there as listed: a cleaner or a full disk may have left it half done. */
async function intact(copy: string, fingerprint: string): Promise<boolean> {
  const recorded = await readFile(path.join(copy, MANIFEST), "utf8")
    .then((text) => JSON.parse(text) as { fingerprint?: string; files?: unknown })
    .catch(() => undefined);
  if (recorded?.fingerprint !== fingerprint) return false;
  return JSON.stringify(await listTree(copy).catch(() => [])) === JSON.stringify(recorded.files);
}

/** Whatever the umask was when npm installed them: directories 0755, files readable (and runnable if they were) by all. */
async function openToAll(root: string): Promise<void> {
  for (const [relative, kind, , mode] of await listTree(root)) {
    if (kind === "d") await chmod(path.join(root, relative), 0o755);
    else if (kind === "f") await chmod(path.join(root, relative), mode & 0o111 ? mode | 0o555 : mode | 0o444);
  }
  await chmod(root, 0o755);
}

/** Copies the binaries package's `native` folder into the shared folder, once per version and content. */
async function sharedBinaries(nativeDir: string, sharedDir: string): Promise<string> {
  const version = await readFile(path.join(nativeDir, "..", "package.json"), "utf8")
    .then((text) => String((JSON.parse(text) as { version?: unknown }).version ?? "unknown"))
    .catch(() => "unknown");
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(await listTree(nativeDir)))
    .digest("hex")
    .slice(0, 12);
  const target = path.join(sharedDir, `postgres-${version.replace(/[^\w.-]/g, "_")}-${fingerprint}`);
  if (await intact(target, fingerprint)) return target;

  // Copied beside the target and renamed into place, so a start running at the same time never
  // sees half a copy; whichever rename lands first wins.
  const staging = `${target}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await openToAll(staging);
    await writeFile(path.join(staging, MANIFEST), JSON.stringify({ fingerprint, files: await listTree(staging) }));
    // A damaged copy is replaced; one another start has just completed is kept.
    if ((await exists(target)) && !(await intact(target, fingerprint))) await rm(target, { recursive: true, force: true });
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      if (!(await intact(target, fingerprint))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "console";
}

/** Where a data directory's cluster lives when moved to the shared folder: stable for that data directory. */
export async function sharedClusterDir(requestedDataDir: string, sharedDir: string, projectName: string): Promise<string> {
  const parent = await realpath(path.dirname(requestedDataDir)).catch(() => path.resolve(path.dirname(requestedDataDir)));
  const key = createHash("sha256").update(path.join(parent, path.basename(requestedDataDir))).digest("hex").slice(0, 10);
  return path.join(sharedDir, "clusters", `${slug(projectName)}-${key}`, "data");
}

/** The cluster directory a data directory uses, without changing anything: for finding a server already running. */
export async function locateCluster(requestedDataDir: string, sharedDir: string, projectName: string): Promise<string> {
  if (await exists(path.join(requestedDataDir, "PG_VERSION"))) return requestedDataDir;
  const shared = await sharedClusterDir(requestedDataDir, sharedDir, projectName);
  return (await exists(path.join(shared, "PG_VERSION"))) ? shared : requestedDataDir;
}

async function prepareSharedDir(sharedDir: string, account: ServiceAccount): Promise<void> {
  await mkdir(sharedDir, { recursive: true, mode: 0o755 });
  await chmod(sharedDir, 0o755); // the folder is ours alone; the postgres account must pass through it
  const closed = await firstClosedDirectory(sharedDir, account);
  if (closed) throw new Error(`the postgres account cannot enter ${closed}`);
}

async function canRun(binary: string, account: ServiceAccount): Promise<string | null> {
  const closed = await firstClosedDirectory(path.dirname(binary), account);
  if (closed) return `the postgres account cannot enter ${closed}`;
  // The way in is open and the copy is executable by all, so a refusal now comes from the mount.
  return execFileAsync(binary, ["--version"], { ...account }).then(
    () => null,
    (error: NodeJS.ErrnoException) =>
      error.code === "EACCES" ? "its file system is mounted noexec, so no program can run from it" : `${path.basename(binary)} does not run: ${error.message.trim()}`,
  );
}

export async function placeForServiceAccount(options: {
  binaries: Binaries;
  dataDir: string;
  sharedDir: string;
  projectName: string;
  account: ServiceAccount;
}): Promise<Placement> {
  const { account, sharedDir } = options;
  const requested = options.dataDir;
  const moved: string[] = [];
  let blocker: string | null = null;
  const cannot = (reason: string) =>
    new PlacementError(
      `Running as root, the embedded PostgreSQL runs as the postgres account, which cannot enter ${blocker}, and ${sharedDir} cannot hold ` +
        `its files instead (${reason}): move the project to a folder other users can enter (such as /srv or /opt), or set DATABASE_URL to a ` +
        `PostgreSQL server you run.`,
    );

  let binaries = options.binaries;
  const binariesBlocked = (await firstClosedDirectory(binaries.initdb, account)) ?? (await firstClosedDirectory(binaries.postgres, account));
  if (binariesBlocked) {
    blocker = binariesBlocked;
    let copy: string;
    try {
      await prepareSharedDir(sharedDir, account);
      copy = await sharedBinaries(path.resolve(path.dirname(binaries.initdb), ".."), sharedDir);
    } catch (error) {
      throw cannot((error as Error).message);
    }
    binaries = { initdb: path.join(copy, "bin", path.basename(binaries.initdb)), postgres: path.join(copy, "bin", path.basename(binaries.postgres)) };
    const problem = await canRun(binaries.initdb, account);
    if (problem) throw cannot(problem);
    moved.push(`its binaries are copied to ${copy}`);
  }

  let dataDir = requested;
  const shared = await sharedClusterDir(requested, sharedDir, options.projectName);
  if (await exists(path.join(requested, "PG_VERSION"))) {
    const closed = await firstClosedDirectory(requested, account);
    if (closed) {
      throw new PlacementError(
        `The embedded database in ${requested} was created when the postgres account could reach it, but it cannot enter ${closed} now: ` +
          `let other users enter ${closed} again (chmod o+x), move the project back, or set DATABASE_URL to a PostgreSQL server you run.`,
      );
    }
  } else if (await exists(path.join(shared, "PG_VERSION"))) {
    dataDir = shared;
    blocker ??= await firstClosedDirectory(path.dirname(requested), account);
    moved.push(`its cluster is in ${shared}`);
  } else {
    // The cluster's parent is ours to open (start-up makes it 0755); everything above must already be passable.
    await mkdir(path.dirname(requested), { recursive: true });
    await chmod(path.dirname(requested), 0o755).catch(() => undefined);
    const closed = await firstClosedDirectory(path.dirname(requested), account);
    if (closed) {
      blocker ??= closed;
      try {
        await prepareSharedDir(sharedDir, account);
        await mkdir(path.dirname(shared), { recursive: true });
        // Explicit modes: a strict umask must not close the way in.
        await chmod(path.dirname(path.dirname(shared)), 0o755);
        await chmod(path.dirname(shared), 0o755);
        await writeFile(
          path.join(path.dirname(shared), "belongs-to.txt"),
          `The embedded PostgreSQL cluster of the Email Routing Console whose data directory is ${requested}.\n`,
        );
      } catch (error) {
        throw cannot((error as Error).message);
      }
      dataDir = shared;
      moved.push(`its cluster is kept in ${shared}`);
    }
  }

  if (moved.length === 0) return { binaries, dataDir };
  const note = blocker
    ? `Running as root, PostgreSQL runs as the postgres account, which cannot enter ${blocker}, so ${moved.join(" and ")}.`
    : `The embedded PostgreSQL cluster is in ${shared}, where it was first created.`;
  return { binaries, dataDir, note };
}

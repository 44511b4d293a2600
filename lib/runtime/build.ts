import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * `npm start` builds only when the sources changed since the last build: a fingerprint of every
 * input file is stored next to the build.
 */
const BUILD_INPUTS = ["app", "components", "lib", "public", "types", "instrumentation.ts", "proxy.ts", "next.config.mjs", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const distDir = () => process.env.NEXT_DIST_DIR || ".next";

async function collectFiles(root: string, entry: string, out: string[]): Promise<void> {
  const full = path.join(root, entry);
  const info = await stat(full).catch(() => undefined);
  if (!info) return;
  if (info.isFile()) {
    out.push(entry);
    return;
  }
  const children = await readdir(full);
  for (const child of children.sort()) {
    if (child === "node_modules" || child.endsWith(".test.ts") || child.endsWith(".test.tsx")) continue;
    await collectFiles(root, path.join(entry, child), out);
  }
}

export async function sourceFingerprint(root: string): Promise<string> {
  const files: string[] = [];
  for (const input of BUILD_INPUTS) await collectFiles(root, input, files);
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file);
    hash.update(await readFile(path.join(root, file)));
  }
  return hash.digest("hex");
}

export async function isBuildCurrent(root: string): Promise<boolean> {
  const [buildId, stored] = await Promise.all([
    readFile(path.join(root, distDir(), "BUILD_ID"), "utf8").catch(() => undefined),
    readFile(path.join(root, distDir(), "source-fingerprint"), "utf8").catch(() => undefined),
  ]);
  return Boolean(buildId) && stored?.trim() === (await sourceFingerprint(root));
}

/** Runs `next build` when needed. Returns whether it built. */
export async function ensureBuild(root: string, log: (line: string) => void = console.log): Promise<boolean> {
  if (await isBuildCurrent(root)) return false;
  log("Building the console (first start, or the sources changed)…");
  const fingerprint = await sourceFingerprint(root);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit code ${code})`))));
  });
  await writeFile(path.join(root, distDir(), "source-fingerprint"), `${fingerprint}\n`);
  return true;
}

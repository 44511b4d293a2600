/**
 * `npm run test:browser`: the browser tests as two streams at once, each a vitest process running its
 * project's files one at a time against its own app server, database and Chromium (vitest.config.ts
 * names the files of the second). A page load mostly waits, so two streams keep both cores busy
 * where one left about half idle. The console is built once, before either starts.
 *
 * With arguments (`npm run test:browser -- tests/browser/setup.test.ts`) it runs one vitest over both
 * projects with those arguments instead.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ensureBuild } from "@/lib/runtime/build";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
const PROJECTS = ["browser", "browser-2"];

function run(args: string[], prefix: string): { exit: Promise<number>; stop(): void } {
  const child = spawn(process.execPath, [vitest, "run", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: process.env });
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    let pending = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) out.write(`${prefix}${line}\n`);
    });
    stream.on("end", () => {
      if (pending) out.write(`${prefix}${pending}\n`);
    });
  }
  return {
    exit: new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)))),
    stop: () => child.kill("SIGTERM"),
  };
}

async function main(): Promise<number> {
  const extra = process.argv.slice(2);
  await ensureBuild(root);
  if (extra.length > 0) return run([...PROJECTS.flatMap((name) => ["--project", name]), ...extra], "").exit;
  const streams = PROJECTS.map((name) => run(["--project", name], `[${name}] `));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => streams.forEach((stream) => stream.stop()));
  const codes = await Promise.all(streams.map((stream) => stream.exit));
  for (const [index, code] of codes.entries()) console.log(`${PROJECTS[index]}: ${code === 0 ? "passed" : `failed (exit code ${code})`}`);
  return Math.max(...codes);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

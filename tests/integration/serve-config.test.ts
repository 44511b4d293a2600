import { spawn } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

/**
 * scripts/serve.ts (what `npm start` runs for the web server) reads its port, interface and proxy
 * trust from the validated configuration: a bad value stops it at once with the same report
 * `npm start` prints, instead of serving on a guess.
 */
function runServe(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const root = process.cwd();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/serve.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("the web server's configuration", () => {
  it("refuses to start on a port that is not a number, naming the variable", async () => {
    const { code, output } = await runServe({ PORT: "eighty" });
    expect(code).toBe(1);
    expect(output).toMatch(/PORT/);
    expect(output).not.toMatch(/listening|ready on/i);
  }, 60_000);

  it("refuses a TRUST_PROXY that is neither yes nor no", async () => {
    const { code, output } = await runServe({ TRUST_PROXY: "perhaps" });
    expect(code).toBe(1);
    expect(output).toMatch(/TRUST_PROXY/);
  }, 60_000);
});

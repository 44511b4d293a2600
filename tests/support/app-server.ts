import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

import { findFreePort } from "@/lib/db/embedded-postgres";

/** Runs the built console (scripts/serve.ts, as production does) for browser tests. */
export interface AppServer {
  url: string;
  /** The port of the console's in-process inbound SMTP gateway (on 127.0.0.1). */
  smtpPort: number;
  /** The console's process id (benchmarks read its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * `nodeArgs` go before the script on the command line: flags Node refuses in NODE_OPTIONS (on
 * Node 20, --cpu-prof) can reach the console that way.
 */
export async function startAppServer(root: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<AppServer> {
  const port = await findFreePort();
  // The console's own inbound SMTP gateway (INBOUND_MODE=in-process) gets a free loopback port too.
  const smtpPort = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(root, "scripts/serve.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: url,
      INBOUND_SMTP_HOST: "127.0.0.1",
      INBOUND_SMTP_PORT: String(smtpPort),
      LOG_LEVEL: "warn",
      ...env,
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // Generous: on a busy 2-core machine the first /signin render alone has taken over a minute.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The console exited while starting:\n${output}`);
    const response = await fetch(`${url}/signin`).catch(() => undefined);
    if (response?.ok) break;
    if (Date.now() > deadline) throw new Error(`The console did not start within 180 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    smtpPort,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

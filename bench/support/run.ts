import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root, for benchmarks that start the console's own pieces. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Node's flags for a process that may import the console's `server-only` modules. */
export const EXEC_ARGV = ["--conditions=react-server", "--import", "tsx"];

/** What a run started (app, database, DNS world), stopped in reverse order whatever happened. */
export class Cleanups {
  private readonly steps: (() => Promise<unknown>)[] = [];

  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

/**
 * Runs a benchmark's measuring process: `main`, then its cleanups whatever happened; a watchdog
 * stops it (cleaning up first) if it runs longer than `minutes`, so a hung run never outlives its budget.
 */
export async function runMeasured(main: () => Promise<void>, cleanups: Cleanups, minutes: number): Promise<void> {
  const cleanUp = () => cleanups.run();
  const watchdog = setTimeout(() => {
    console.error(`The benchmark did not finish within ${minutes} minutes; stopping it.`);
    void cleanUp().then(() => process.exit(2));
  }, minutes * 60_000);
  watchdog.unref();
  try {
    await main();
  } catch (error) {
    console.error("The benchmark failed:", error);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

/**
 * Runs `script` again under the react-server condition (where `server-only` modules may be
 * imported), with `env` added, and exits with its exit code.
 */
export function rerunUnderReactServer(script: string, env: Record<string, string>, args: string[] = []): void {
  const child = spawn(process.execPath, [...EXEC_ARGV, script, ...args], { cwd: ROOT, stdio: "inherit", env: { ...process.env, LOG_LEVEL: "silent", ...env } });
  child.on("exit", (code) => process.exit(code ?? 1));
}

/** The sample at `fraction` (0.5 for the median) of `samples`, by the nearest-rank method. */
export function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}


/** The median and 95th percentile of a set of timings, in milliseconds. */
export interface Stats {
  p50: number;
  p95: number;
}

export function stats(samples: readonly number[]): Stats {
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

/** Times `work` `runs` times, after `warmUp` untimed runs. */
export async function sample(runs: number, work: () => Promise<unknown>, warmUp = 3): Promise<Stats> {
  for (let index = 0; index < warmUp; index++) await work();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

/**
 * Times two pieces of work in turns (a, b, a, b, …), after `warmUp` untimed runs of each: both
 * see the same moments of a busy machine, so their ratio moves less than when one is timed after
 * the other.
 */
export async function sampleInTurns(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>, warmUp = 3): Promise<[Stats, Stats]> {
  for (let index = 0; index < warmUp; index++) {
    await a();
    await b();
  }
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let index = 0; index < runs; index++) {
    for (const [work, times] of [[a, timesA], [b, timesB]] as const) {
      const started = performance.now();
      await work();
      times.push(performance.now() - started);
    }
  }
  return [stats(timesA), stats(timesB)];
}

/** A duration as the benchmarks print it. */
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

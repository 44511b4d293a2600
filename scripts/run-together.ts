/**
 * Runs several npm scripts at the same time and fails if any of them fails: `npm test` runs lint,
 * the type check and the unit tests this way. Each is single-threaded for most of its run, so on a
 * 2-core machine two or three at once take about as long as the longest of them alone.
 *
 * Each script's output is held and printed whole when it ends, so the outputs do not interleave.
 * Usage: node --import tsx scripts/run-together.ts <npm script> [<npm script> …]
 */
import { spawn } from "node:child_process";

interface Outcome {
  name: string;
  code: number;
  output: string;
  seconds: number;
}

function run(name: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", name], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "1" } });
    let output = "";
    let done = false;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const finish = (code: number) => {
      if (done) return;
      done = true;
      const outcome = { name, code, output, seconds: (performance.now() - started) / 1000 };
      const verdict = code === 0 ? "passed" : `FAILED (exit code ${code})`;
      process.stdout.write(`\n> npm run ${name}\n${output.trimEnd()}${output ? "\n" : ""}${name}: ${verdict} in ${outcome.seconds.toFixed(1)} s\n`);
      resolve(outcome);
    };
    child.on("error", (error) => {
      output += `${error.message}\n`;
      finish(1);
    });
    child.on("close", (code) => finish(code ?? 1));
  });
}

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error("Usage: run-together.ts <npm script> [<npm script> …]");
  process.exit(2);
}
const outcomes = await Promise.all(names.map(run));
const failed = outcomes.filter((outcome) => outcome.code !== 0);
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.map((outcome) => outcome.name).join(", ")}`);
  process.exit(1);
}

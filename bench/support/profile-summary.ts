/**
 * Reads V8 CPU profiles (`node --cpu-prof` writes one .cpuprofile per process) and prints where the
 * time went: self time summed by function (name, file, line) and by file, the top N of each, as a
 * share of all samples. Several profiles are added together (e.g. both workers of a run).
 *
 * Run: npx tsx bench/support/profile-summary.ts <file-or-dir>… [--top 40] [--checks N] [--callers REGEX]
 * With --checks, each entry also shows its milliseconds per check; with --callers, the self time of
 * the functions whose name or file matches is shown by their three nearest callers.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args.splice(index, 2)[1] : undefined;
};
const top = Number(flag("--top") ?? 40);
const checks = Number(flag("--checks") ?? 0);
/** With --callers <regex>: the self time of matching functions by their three nearest callers instead. */
const callers = flag("--callers");

const files = args.flatMap((arg) =>
  statSync(arg).isDirectory()
    ? readdirSync(arg)
        .filter((name) => name.endsWith(".cpuprofile"))
        .map((name) => path.join(arg, name))
    : [arg],
);

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
let idle = 0;

const shortUrl = (url: string): string => {
  const clean = url.replace(/^file:\/\//, "");
  const modules = clean.lastIndexOf("node_modules/");
  if (modules >= 0) return clean.slice(modules + "node_modules/".length);
  const cwd = process.cwd() + "/";
  return clean.startsWith(cwd) ? clean.slice(cwd.length) : clean || "(native)";
};

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const frame = (node: ProfileNode): string => `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  const callerChain = (node: ProfileNode): string => {
    const chain: string[] = [];
    for (let id = parents.get(node.id); id !== undefined && chain.length < 3; id = parents.get(id)) {
      const parent = nodes.get(id);
      if (parent) chain.push(frame(parent));
    }
    return `${frame(node)} <- ${chain.join(" <- ")}`;
  };
  // Self time of a sample is the delta to the next one (V8 records the delta before each sample).
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index + 1] ?? 0;
    const node = nodes.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idle += micros;
      return;
    }
    total += micros;
    const fileKey = shortUrl(url);
    if (callers && !new RegExp(callers).test(`${functionName} ${url}`)) return;
    const fnKey = callers ? callerChain(node) : `${functionName || "(anonymous)"}  ${fileKey}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + micros);
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
  });
}

const show = (title: string, entries: Map<string, number>): void => {
  console.log(`\n${title} (busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms, ${files.length} profile(s))`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const perCheck = checks > 0 ? `  ${(micros / 1000 / checks).toFixed(2).padStart(6)} ms/check` : "";
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms${perCheck}  ${key}`);
  }
};

show("Self time by function", byFunction);
show("Self time by file", byFile);
